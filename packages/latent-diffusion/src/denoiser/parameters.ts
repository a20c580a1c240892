// Named, seeded parameter creation for the DiT: a flat `name -> tf.Variable` map is what the state dict, the
// optimiser and the EMA all work on.
import * as tf from '@tensorflow/tfjs-core';
import { SeededRng } from '../random/seeded-rng';

export type ParameterMap = Record<string, tf.Variable>;

export class ParameterFactory {
  readonly params: ParameterMap = {};
  private readonly rng: SeededRng;

  constructor(seed: number) {
    this.rng = new SeededRng(seed);
  }

  /** N(0, std^2) entries; the default std is 1 / sqrt(fan-in), which keeps activations at unit scale. */
  normal(name: string, shape: number[], std = 1 / Math.sqrt(shape[0])): tf.Variable {
    const size = shape.reduce((a, b) => a * b, 1);
    const values = this.rng.normals(size).map((v) => v * std);
    return this.add(name, tf.tensor(values, shape));
  }

  zeros(name: string, shape: number[]): tf.Variable {
    return this.add(name, tf.zeros(shape));
  }

  /** A dense layer's `name.kernel` [inDim, outDim] and `name.bias` [outDim]; zero-initialised if asked (adaLN-Zero). */
  dense(name: string, inDim: number, outDim: number, zero = false): { kernel: tf.Variable; bias: tf.Variable } {
    return {
      kernel: zero ? this.zeros(`${name}.kernel`, [inDim, outDim]) : this.normal(`${name}.kernel`, [inDim, outDim]),
      bias: this.zeros(`${name}.bias`, [outDim]),
    };
  }

  private add(name: string, value: tf.Tensor): tf.Variable {
    const variable = tf.variable(value, true); // tfjs names it uniquely; our names live in `params`
    value.dispose();
    this.params[name] = variable;
    return variable;
  }
}
