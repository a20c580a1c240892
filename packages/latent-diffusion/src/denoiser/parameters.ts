// Named, seeded parameter creation for the DiT: a flat `name -> tf.Variable` map is what the state dict, the
// optimiser and the EMA all work on.
import * as tf from '@tensorflow/tfjs-core';
import { LatentDiffusionError } from '../errors';
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

/**
 * Checks that `given` holds exactly the names of `expected`, each with its shape.
 * @throws LatentDiffusionError that names what is missing, extra or misshaped.
 */
export function checkParameterShapes(expected: Record<string, tf.Tensor>, given: Record<string, tf.Tensor>, where: string): void {
  const missing = Object.keys(expected).filter((name) => !(name in given));
  const extra = Object.keys(given).filter((name) => !(name in expected));
  if (missing.length > 0 || extra.length > 0) {
    const list = (names: string[]) => names.map((n) => `'${n}'`).join(', ');
    const parts = [missing.length > 0 ? `missing ${list(missing)}` : '', extra.length > 0 ? `unexpected ${list(extra)}` : ''];
    throw new LatentDiffusionError(`${where}: ${parts.filter(Boolean).join('; ')}; was it saved from a different config?`);
  }
  for (const [name, want] of Object.entries(expected)) {
    const got = given[name].shape;
    if (got.length !== want.shape.length || got.some((d, i) => d !== want.shape[i])) {
      throw new LatentDiffusionError(`${where}: '${name}' has shape [${got}], the model expects [${want.shape}]`);
    }
  }
}
