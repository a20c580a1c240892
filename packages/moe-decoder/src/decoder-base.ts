// What every decoder in this package shares: the position layout, named variables drawn from an injected source and the state dict.
// Subclasses add their layers to `store` in the constructor and implement decode.
import type * as tf from '@tensorflow/tfjs-core';
import { positiveInteger, validateModules } from './config';
import { countParameters, ParameterStore } from './parameters/parameter-store';
import type { DecodeOptions, DecodeOutput, LoraDecoder, ModuleSpec, NormalSource } from './types';

export abstract class DecoderBase implements LoraDecoder {
  readonly modules: readonly ModuleSpec[];
  readonly layers: number;
  readonly latentDim: number;
  readonly variables: Record<string, tf.Variable>;
  protected readonly store: ParameterStore;

  protected constructor(layout: { modules: ModuleSpec[]; layers: number; latentDim: number }, random: NormalSource) {
    validateModules(layout.modules);
    this.modules = layout.modules.map((m) => ({ ...m }));
    this.layers = positiveInteger(layout.layers, 'layers');
    this.latentDim = positiveInteger(layout.latentDim, 'latentDim');
    this.store = new ParameterStore(random);
    this.variables = this.store.variables;
  }

  abstract decode(z: tf.Tensor3D, options?: DecodeOptions): DecodeOutput;

  /** Number of positions: layers x module types. */
  get positions(): number {
    return this.layers * this.modules.length;
  }

  /** Total trainable scalars. */
  get parameterCount(): number {
    return countParameters(this.variables);
  }

  stateDict(): Record<string, tf.Tensor> {
    return this.store.stateDict();
  }

  loadStateDict(state: Record<string, tf.Tensor>): void {
    this.store.loadStateDict(state);
  }

  dispose(): void {
    this.store.dispose();
  }
}
