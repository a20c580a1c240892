import * as tf from '@tensorflow/tfjs';
import { trainingRng, type DenoiserShape, type TrainableDenoiser } from '../../src';

/**
 * A small MLP denoiser: [flattened x_t ; sinusoidal t ; condition] -> SiLU MLP -> v, with its own learned null
 * condition for guidance. The custom denoiser of the tests (a researcher's own model plugs in the same way).
 */
export class MlpDenoiser implements TrainableDenoiser {
  readonly variables: Record<string, tf.Variable>;
  calls = 0;

  constructor(
    private readonly shape: DenoiserShape,
    private readonly hidden = 64,
    seed = 5,
  ) {
    const rng = trainingRng(seed);
    const flat = shape.positions * shape.latentDim;
    const dense = (i: number, o: number) => tf.tidy(() => tf.variable(tf.tensor2d(rng.uniforms(i * o, Math.sqrt(6 / (i + o))), [i, o])));
    const zeros = (n: number) => tf.tidy(() => tf.variable(tf.zeros([n])));
    this.variables = {
      w1: dense(flat + 16 + shape.condDim, hidden),
      b1: zeros(hidden),
      w2: dense(hidden, hidden),
      b2: zeros(hidden),
      w3: dense(hidden, flat),
      b3: zeros(flat),
      nullCond: zeros(shape.condDim),
    };
  }

  predict(xt: tf.Tensor, t: tf.Tensor, cond: tf.Tensor | null, keep?: tf.Tensor | null): tf.Tensor {
    this.calls++;
    return tf.tidy(() => {
      const b = xt.shape[0];
      const nulls = tf.tile(tf.reshape(this.variables.nullCond, [1, -1]), [b, 1]);
      let c = cond ?? nulls;
      if (cond && keep) {
        const k = tf.reshape(keep, [b, 1]);
        c = tf.add(tf.mul(cond, k), tf.mul(nulls, tf.sub(1, k)));
      }
      const freqs = tf.tensor1d(Array.from({ length: 8 }, (_, i) => Math.exp(-i)));
      const angle = tf.mul(tf.reshape(tf.cast(t, 'float32'), [b, 1]), tf.reshape(freqs, [1, 8]));
      const h0 = tf.concat([tf.reshape(xt, [b, -1]), tf.sin(angle), tf.cos(angle), c], 1);
      const v = this.variables;
      const h1 = tf.add(tf.matMul(h0, v.w1), v.b1);
      const a1 = tf.mul(h1, tf.sigmoid(h1));
      const h2 = tf.add(tf.matMul(a1, v.w2), v.b2);
      const a2 = tf.mul(h2, tf.sigmoid(h2));
      return tf.reshape(tf.add(tf.matMul(a2, v.w3), v.b3), [b, this.shape.positions, this.shape.latentDim]);
    });
  }

  dispose(): void {
    tf.dispose(Object.values(this.variables));
  }
}
