// The exact optimal denoiser for data x0 ~ N(mu, diag sigma^2). With a = sqrt(abar_t), s = sqrt(1 - abar_t),
// x_t ~ N(a mu, a^2 sigma^2 + s^2) =: N(a mu, q) and the posterior means are, per dimension,
//   E[x0 | x_t]  = mu + a sigma^2 (x_t - a mu) / q,     E[eps | x_t] = s (x_t - a mu) / q,
// so the optimal v = a E[eps] - s E[x0] = a s (1 - sigma^2) (x_t - a mu) / q - s mu. Each is affine in x_t,
// c1[t, d] x_t + c0[t, d]; the tables are computed here in float64 from these formulas alone (independently of
// the package's conversion helpers), and the denoiser looks up the rows of its timesteps.
import * as tf from '@tensorflow/tfjs';
import type { Denoiser, NoiseSchedule } from '../../src';

export interface GaussianData {
  mu: number[];
  sigma: number[];
}

/** `dims` dimensions with sigma spread from 0.2 to 0.8 and means of both signs. */
export function gaussianData(dims: number): GaussianData {
  const mu = Array.from({ length: dims }, (_, i) => -1 + (2 * i) / (dims - 1));
  const sigma = Array.from({ length: dims }, (_, i) => 0.2 + (0.6 * ((i * 3) % dims)) / (dims - 1));
  return { mu, sigma };
}

export type OracleKind = 'v' | 'epsilon' | 'v-sign-flipped';

function affineTables(data: GaussianData, abar: ArrayLike<number>, kind: OracleKind): [Float32Array, Float32Array] {
  const dims = data.mu.length;
  const c1 = new Float32Array(abar.length * dims);
  const c0 = new Float32Array(abar.length * dims);
  for (let t = 0; t < abar.length; t++) {
    const a = Math.sqrt(abar[t]);
    const s = Math.sqrt(1 - abar[t]);
    for (let d = 0; d < dims; d++) {
      const mu = data.mu[d];
      const v0 = data.sigma[d] ** 2;
      const q = a * a * v0 + s * s;
      const slope = kind === 'epsilon' ? s / q : (a * s * (1 - v0)) / q;
      const offset = kind === 'epsilon' ? -slope * a * mu : -slope * a * mu - s * mu;
      const sign = kind === 'v-sign-flipped' ? -1 : 1;
      c1[t * dims + d] = sign * slope;
      c0[t * dims + d] = sign * offset;
    }
  }
  return [c1, c0];
}

/**
 * The optimal denoiser for `data` on [batch, dims] inputs. Call `dispose` on the result's tables when done.
 */
export function gaussianOracle(
  data: GaussianData,
  schedule: NoiseSchedule,
  kind: OracleKind,
): Denoiser & { dispose(): void } {
  const dims = data.mu.length;
  const [c1, c0] = affineTables(data, schedule.alphasCumprod64, kind);
  const slope = tf.tensor2d(c1, [schedule.timesteps, dims]);
  const offset = tf.tensor2d(c0, [schedule.timesteps, dims]);
  const denoiser = (xt: tf.Tensor, t: tf.Tensor) =>
    tf.tidy(() => tf.add(tf.mul(tf.gather(slope, t), xt), tf.gather(offset, t)));
  return Object.assign(denoiser, {
    dispose() {
      slope.dispose();
      offset.dispose();
    },
  });
}

/** Per-dimension mean and standard deviation of [n, dims] samples. */
export async function columnMoments(x: tf.Tensor): Promise<{ mean: number[]; std: number[] }> {
  const [rows, dims] = x.shape;
  const values = await x.data();
  const mean = new Array<number>(dims).fill(0);
  const sq = new Array<number>(dims).fill(0);
  for (let r = 0; r < rows; r++) for (let d = 0; d < dims; d++) mean[d] += values[r * dims + d] / rows;
  for (let r = 0; r < rows; r++) for (let d = 0; d < dims; d++) sq[d] += (values[r * dims + d] - mean[d]) ** 2;
  return { mean, std: sq.map((v) => Math.sqrt(v / (rows - 1))) };
}

/** Worst mean error in units of sigma and worst relative std error over the dimensions. */
export async function momentErrors(
  x: tf.Tensor,
  data: GaussianData,
): Promise<{ meanErrorInSigma: number; stdRelativeError: number }> {
  const { mean, std } = await columnMoments(x);
  let meanErrorInSigma = 0;
  let stdRelativeError = 0;
  for (let d = 0; d < data.mu.length; d++) {
    meanErrorInSigma = Math.max(meanErrorInSigma, Math.abs(mean[d] - data.mu[d]) / data.sigma[d]);
    stdRelativeError = Math.max(stdRelativeError, Math.abs(std[d] - data.sigma[d]) / data.sigma[d]);
  }
  return { meanErrorInSigma, stdRelativeError };
}
