// The ablation baseline: one MLP shared by every position, no structural embeddings, no experts, no
// module heads. Its last layer is as wide as the largest module type's factors; smaller types read a prefix.
import * as tf from '@tensorflow/tfjs-core';
import { positiveInteger, validateModules } from './config';
import { factorSize, splitFactors } from './heads/factor-layout';
import { tidyOutput } from './layers/tidy-output';
import { linear, silu, type Linear } from './layers/linear';
import { checkLatents, moduleRows } from './layout/positions';
import { countParameters, ParameterStore } from './parameters/parameter-store';
import type { DecodeOutput, FactorPair, LoraDecoder, ModuleSpec } from './types';

/** Config of {@link SharedMLPDecoder}. */
export interface SharedMLPDecoderConfig {
  /** the module types, in position order (positions are layer-major) */
  modules: ModuleSpec[];
  /** number of layers */
  layers: number;
  /** size of one position's latent */
  latentDim: number;
  /** width of the two hidden layers @default 256 */
  hidden?: number;
  /** seed of the deterministic initialisation @default 0 */
  seed?: number;
}

/** z_p -> Linear, SiLU, Linear, SiLU, Linear -> the factor values of p's module type. Variables `mlp/<i>/...`. */
export class SharedMLPDecoder implements LoraDecoder {
  readonly modules: readonly ModuleSpec[];
  readonly layers: number;
  readonly latentDim: number;
  readonly variables: Record<string, tf.Variable>;
  private readonly store: ParameterStore;
  private readonly mlp: Linear[];

  constructor(config: SharedMLPDecoderConfig) {
    validateModules(config.modules);
    this.modules = config.modules.map((m) => ({ ...m }));
    this.layers = positiveInteger(config.layers, 'layers');
    this.latentDim = positiveInteger(config.latentDim, 'latentDim');
    const hidden = positiveInteger(config.hidden ?? 256, 'hidden');
    this.store = new ParameterStore(config.seed ?? 0);
    this.variables = this.store.variables;
    const widest = Math.max(...this.modules.map(factorSize));
    this.mlp = [
      linear(this.store, 'mlp/0', this.latentDim, hidden),
      linear(this.store, 'mlp/1', hidden, hidden),
      linear(this.store, 'mlp/2', hidden, widest),
    ];
  }

  get positions(): number {
    return this.layers * this.modules.length;
  }

  /** Total trainable scalars. */
  get parameterCount(): number {
    return countParameters(this.variables);
  }

  /** `options` are accepted for the interface; this decoder has no schedule and no dropout. */
  decode(z: tf.Tensor3D): DecodeOutput {
    checkLatents(z, this.positions, this.latentDim);
    return tidyOutput(() => {
      const batch = z.shape[0];
      const [first, second, out] = this.mlp;
      const flat = tf.reshape(z, [batch * this.positions, this.latentDim]) as tf.Tensor2D;
      const values = out(silu(second(silu(first(flat)))));
      const perPosition = tf.reshape(values, [batch, this.positions, values.shape[1]]) as tf.Tensor3D;
      const factors: Record<string, FactorPair> = {};
      this.modules.forEach((spec, m) => {
        factors[spec.name] = splitFactors(moduleRows(perPosition, m, this.modules.length, this.layers), spec, batch, this.layers);
      });
      return { factors, auxLoss: tf.scalar(0) };
    });
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
