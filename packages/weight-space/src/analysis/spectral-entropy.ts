import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { lowRankSingularValues } from '../lowrank/singular-values';
import type { LowRankFactors } from '../types';

/** Options of {@link spectralEntropy}. */
export interface SpectralEntropyOptions {
  /**
   * The distribution whose Shannon entropy (natural log) is taken: `'sigma'` p_i = sigma_i / sum sigma_j (the
   * effective-rank definition, exp(H) = effective rank), or `'energy'` p_i = sigma_i^2 / sum sigma_j^2.
   * @default 'sigma'
   */
  distribution?: 'sigma' | 'energy';
}

/**
 * Spectral entropy of dW = B A per position ([...]), from its singular values (the paper's observation 2: it
 * differs systematically by module type). 0 for rank 1, ln(r) for r equal singular values, 0 for dW = 0.
 */
export function spectralEntropy(factors: LowRankFactors, opts: SpectralEntropyOptions = {}): Tensor {
  return tf.tidy(() => {
    const sigma = lowRankSingularValues(factors);
    const mass = opts.distribution === 'energy' ? tf.square(sigma) : sigma;
    const p = tf.div(mass, tf.maximum(tf.sum(mass, -1, true), 1e-30));
    // p ln p -> 0 as p -> 0: zero entries contribute nothing.
    const plogp = tf.mul(p, tf.log(tf.maximum(p, 1e-30)));
    return tf.neg(tf.sum(plogp, -1));
  });
}

/**
 * Spectral entropy from singular values on the host (float64): Shannon entropy (nats) of the normalised energies
 * p_i = sigma_i^2 / sum sigma_j^2, i.e. {@link spectralEntropy} with `distribution: 'energy'`. High when energy
 * spreads over many directions, 0 for a rank-one update.
 */
export function spectralEntropyOfValues(singularValues: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < singularValues.length; i++) total += singularValues[i] ** 2;
  if (total === 0) return 0;
  let h = 0;
  for (let i = 0; i < singularValues.length; i++) {
    const p = singularValues[i] ** 2 / total;
    if (p > 0) h -= p * Math.log(p);
  }
  return h;
}
