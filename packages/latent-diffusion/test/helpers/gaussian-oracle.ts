// Test data and oracles for the closed-form check, derived here rather than taken from the package (its
// closedFormGaussianDenoiser is checked against hand values and against this oracle in closed-form-gaussian.test.ts).
//
// For x0 ~ N(mu, sigma^2) per dimension and x_t = a x0 + s eps (a = sqrt(abar_t), s = sqrt(1 - abar_t)), x0 and x_t
// are jointly Gaussian, so E[x0 | x_t] = mu + cov(x0, x_t) / var(x_t) * (x_t - a mu) with cov = a sigma^2 and
// var = a^2 sigma^2 + s^2. E[eps | x_t] follows from x_t = a E[x0 | x_t] + s E[eps | x_t], and the optimal v is
// a E[eps | x_t] - s E[x0 | x_t]. Each is affine in x_t: k x_t + c.
import * as tf from '@tensorflow/tfjs';
import type { Denoiser, GaussianData, ScheduleLike } from '../../src';

/** `dims` dimensions with sigma spread from 0.2 to 0.8 and means of both signs. */
export function gaussianData(dims: number): GaussianData {
  const mu = Array.from({ length: dims }, (_, i) => -1 + (2 * i) / (dims - 1));
  const sigma = Array.from({ length: dims }, (_, i) => 0.2 + (0.6 * ((i * 3) % dims)) / (dims - 1));
  return { mu, sigma };
}

export type OracleKind = 'v' | 'epsilon' | 'v-sign-flipped';

interface Affine {
  k: number;
  c: number;
}

/** The optimal prediction of one dimension at one timestep, in float64. */
function optimal(abar: number, mu: number, sigma: number, kind: OracleKind): Affine {
  const [a, s] = [Math.sqrt(abar), Math.sqrt(1 - abar)];
  const gain = (a * sigma * sigma) / (a * a * sigma * sigma + s * s);
  const x0: Affine = { k: gain, c: mu - gain * a * mu };
  const eps: Affine = { k: (1 - a * x0.k) / s, c: (-a * x0.c) / s };
  if (kind === 'epsilon') return eps;
  const sign = kind === 'v-sign-flipped' ? -1 : 1;
  return { k: sign * (a * eps.k - s * x0.k), c: sign * (a * eps.c - s * x0.c) };
}

/** The optimal denoiser, or (for `v-sign-flipped`) one with the deliberately wrong sign convention for v. */
export function gaussianOracle(data: GaussianData, schedule: ScheduleLike, kind: OracleKind): Denoiser & { dispose(): void } {
  const abar = schedule.alphasCumprod64 ?? schedule.alphasCumprod;
  const dims = data.mu.length;
  const k = new Float32Array(schedule.timesteps * dims);
  const c = new Float32Array(schedule.timesteps * dims);
  for (let t = 0; t < schedule.timesteps; t++) {
    for (let d = 0; d < dims; d++) {
      const f = optimal(abar[t], data.mu[d], data.sigma[d], kind);
      k[t * dims + d] = f.k;
      c[t * dims + d] = f.c;
    }
  }
  const slope = tf.tensor2d(k, [schedule.timesteps, dims]);
  const offset = tf.tensor2d(c, [schedule.timesteps, dims]);
  const denoiser: Denoiser = (xt, t) => tf.tidy(() => tf.add(tf.mul(tf.gather(slope, t), xt), tf.gather(offset, t)));
  return Object.assign(denoiser, { dispose: () => tf.dispose([slope, offset]) });
}

/** Worst per-dimension error of [n, dims] samples: |mean - mu| / sigma, and |sample std - sigma| / sigma. */
export async function momentErrors(samples: tf.Tensor, data: GaussianData): Promise<{ meanErrorInSigma: number; stdRelativeError: number }> {
  const rows = (await samples.array()) as number[][];
  let meanErrorInSigma = 0;
  let stdRelativeError = 0;
  data.mu.forEach((mu, d) => {
    const column = rows.map((row) => row[d]);
    const mean = column.reduce((sum, x) => sum + x, 0) / column.length;
    const std = Math.sqrt(column.reduce((sum, x) => sum + (x - mean) ** 2, 0) / (column.length - 1));
    meanErrorInSigma = Math.max(meanErrorInSigma, Math.abs(mean - mu) / data.sigma[d]);
    stdRelativeError = Math.max(stdRelativeError, Math.abs(std - data.sigma[d]) / data.sigma[d]);
  });
  return { meanErrorInSigma, stdRelativeError };
}
