// The exact optimal denoiser for data x0 ~ N(mu, diag sigma^2): a reference to check samplers against, since
// with it the only error left is the sampler's. With a = sqrt(abar_t), s = sqrt(1 - abar_t),
// x_t ~ N(a mu, q), q = a^2 sigma^2 + s^2, and per dimension
//   E[x0 | x_t] = mu + a sigma^2 (x_t - a mu) / q,   E[eps | x_t] = s (x_t - a mu) / q,
//   optimal v = a E[eps] - s E[x0] = a s (1 - sigma^2) (x_t - a mu) / q - s mu.
// Each is affine in x_t, c1[t, d] x_t + c0[t, d]; the tables are built in float64 from these formulas alone.
import * as tf from '@tensorflow/tfjs-core';
import type { Prediction } from '../objectives/conversions';
import type { Denoiser, ScheduleLike } from '../samplers/types';

/** Independent Gaussian data: per-dimension means and standard deviations. */
export interface GaussianData {
  mu: number[];
  sigma: number[];
}

function affineTables(data: GaussianData, abar: ArrayLike<number>, prediction: Prediction): [Float32Array, Float32Array] {
  const dims = data.mu.length;
  const c1 = new Float32Array(abar.length * dims);
  const c0 = new Float32Array(abar.length * dims);
  for (let t = 0; t < abar.length; t++) {
    const a = Math.sqrt(abar[t]);
    const s = Math.sqrt(1 - abar[t]);
    for (let d = 0; d < dims; d++) {
      const mu = data.mu[d];
      const variance = data.sigma[d] ** 2;
      const q = a * a * variance + s * s;
      const slope = prediction === 'epsilon' ? s / q : (a * s * (1 - variance)) / q;
      c1[t * dims + d] = slope;
      c0[t * dims + d] = prediction === 'epsilon' ? -slope * a * mu : -slope * a * mu - s * mu;
    }
  }
  return [c1, c0];
}

/**
 * The optimal `prediction` (v by default) for `data`, as a `Denoiser` on [batch, dims] inputs. It holds two small
 * tables: call `dispose()` when done.
 */
export function closedFormGaussianDenoiser(data: GaussianData, schedule: ScheduleLike, prediction: Prediction = 'v'): Denoiser & { dispose(): void } {
  const dims = data.mu.length;
  const [c1, c0] = affineTables(data, schedule.alphasCumprod64 ?? schedule.alphasCumprod, prediction);
  const slope = tf.tensor2d(c1, [schedule.timesteps, dims]);
  const offset = tf.tensor2d(c0, [schedule.timesteps, dims]);
  const denoiser: Denoiser = (xt, t) => tf.tidy(() => tf.add(tf.mul(tf.gather(slope, t), xt), tf.gather(offset, t)));
  return Object.assign(denoiser, {
    dispose() {
      slope.dispose();
      offset.dispose();
    },
  });
}

/** Worst per-dimension error of [n, dims] samples: mean error in units of sigma, and relative std error. */
export async function gaussianMomentErrors(samples: tf.Tensor, data: GaussianData): Promise<{ meanErrorInSigma: number; stdRelativeError: number }> {
  const [rows, dims] = samples.shape as [number, number];
  const values = await samples.data();
  let meanErrorInSigma = 0;
  let stdRelativeError = 0;
  for (let d = 0; d < dims; d++) {
    let mean = 0;
    for (let r = 0; r < rows; r++) mean += values[r * dims + d] / rows;
    let sq = 0;
    for (let r = 0; r < rows; r++) sq += (values[r * dims + d] - mean) ** 2;
    meanErrorInSigma = Math.max(meanErrorInSigma, Math.abs(mean - data.mu[d]) / data.sigma[d]);
    stdRelativeError = Math.max(stdRelativeError, Math.abs(Math.sqrt(sq / (rows - 1)) - data.sigma[d]) / data.sigma[d]);
  }
  return { meanErrorInSigma, stdRelativeError };
}
