// Test data and oracles for the closed-form check, built on the package's closed-form Gaussian denoiser.
import * as tf from '@tensorflow/tfjs';
import { closedFormGaussianDenoiser, type Denoiser, type GaussianData, type NoiseSchedule } from '../../src';

export { gaussianMomentErrors as momentErrors } from '../../src';

/** `dims` dimensions with sigma spread from 0.2 to 0.8 and means of both signs. */
export function gaussianData(dims: number): GaussianData {
  const mu = Array.from({ length: dims }, (_, i) => -1 + (2 * i) / (dims - 1));
  const sigma = Array.from({ length: dims }, (_, i) => 0.2 + (0.6 * ((i * 3) % dims)) / (dims - 1));
  return { mu, sigma };
}

export type OracleKind = 'v' | 'epsilon' | 'v-sign-flipped';

/** The optimal denoiser, or (for `v-sign-flipped`) one with the deliberately wrong sign convention for v. */
export function gaussianOracle(
  data: GaussianData,
  schedule: NoiseSchedule,
  kind: OracleKind,
): Denoiser & { dispose(): void } {
  const exact = closedFormGaussianDenoiser(data, schedule, kind === 'epsilon' ? 'epsilon' : 'v');
  if (kind !== 'v-sign-flipped') return exact;
  const flipped: Denoiser = (xt, t, cond) => tf.tidy(() => tf.neg(exact(xt, t, cond)));
  return Object.assign(flipped, { dispose: () => exact.dispose() });
}
