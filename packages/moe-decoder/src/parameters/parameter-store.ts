// Named trainable variables initialised from an injected NormalSource and a validated state dict: what every
// decoder here needs besides its forward pass.
import * as tf from '@tensorflow/tfjs-core';
import { StateDictError } from '../errors';
import type { NormalSource } from '../types';

export class ParameterStore {
  readonly variables: Record<string, tf.Variable> = {};

  constructor(private readonly random: NormalSource) {}

  /** A variable drawn from N(0, std^2); draws follow creation order, so the same source state gives the same values. */
  normal(name: string, shape: number[], std: number): tf.Variable {
    return this.add(name, tf.tensor(this.random.normals(sizeOf(shape), std), shape));
  }

  zeros(name: string, shape: number[]): tf.Variable {
    return this.add(name, tf.zeros(shape));
  }

  stateDict(): Record<string, tf.Tensor> {
    const out: Record<string, tf.Tensor> = {};
    for (const [name, v] of Object.entries(this.variables)) out[name] = tf.clone(v);
    return out;
  }

  /** Validates every name and shape before assigning anything, so a bad dict leaves the decoder unchanged. */
  loadStateDict(state: Record<string, tf.Tensor>): void {
    assignStateDict(this.variables, state);
  }

  dispose(): void {
    for (const v of Object.values(this.variables)) v.dispose();
  }

  private add(name: string, init: tf.Tensor): tf.Variable {
    // tfjs variable names are global, so the engine names them; ours live in the record's keys.
    const v = tf.variable(init, true);
    init.dispose();
    this.variables[name] = v;
    return v;
  }
}

function sizeOf(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Total number of scalar parameters in a variable record. */
export function countParameters(variables: Record<string, tf.Variable>): number {
  return Object.values(variables).reduce((n, v) => n + v.size, 0);
}

/**
 * Assigns a state dict to named variables (a decoder's, or any model's): checks first that every name is there,
 * none is extra and every shape matches, so a bad dict changes nothing; values are cast to float32.
 * @param owner names the variables' owner in the message. @default 'this decoder'
 * @throws StateDictError naming what is missing, unexpected or misshaped.
 */
export function assignStateDict(variables: Record<string, tf.Variable>, state: Record<string, tf.Tensor>, owner = 'this decoder'): void {
  const expected = Object.keys(variables);
  const missing = expected.filter((name) => !(name in state));
  const extra = Object.keys(state).filter((name) => !(name in variables));
  if (missing.length > 0 || extra.length > 0) {
    throw new StateDictError(
      `state dict does not match ${owner}: missing [${missing.join(', ')}], unexpected [${extra.join(', ')}]; ` +
        'load a state dict saved from one built with the same config',
    );
  }
  for (const name of expected) {
    const want = variables[name].shape;
    const got = state[name].shape;
    if (want.length !== got.length || want.some((d, i) => d !== got[i])) {
      throw new StateDictError(
        `state dict entry '${name}' has shape [${got.join(', ')}], ${owner} needs [${want.join(', ')}]; ` +
          'check that modules, layers and sizes in the config match the saved one',
      );
    }
  }
  tf.tidy(() => {
    for (const name of expected) variables[name].assign(tf.cast(state[name], 'float32'));
  });
}
