import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { WeightSpaceError } from '../errors';
import type { SpectralLossOptions } from '../types';
import { constantOf } from './stop-gradient';

/** The spectral options with their defaults applied and checked. */
export interface ResolvedSpectralOptions {
  k: number | 'energy';
  energyRatio: number;
  p: number;
  weights: 'energy' | 'uniform' | Tensor;
}

/** Applies defaults (k 'energy', energyRatio 0.85, p 1, weights 'energy') and checks every option. */
export function resolveSpectralOptions(opts: SpectralLossOptions, maxRank: number): ResolvedSpectralOptions {
  const { energyRatio = 0.85, p = 1, weights = 'energy' } = opts;
  let k = opts.k;
  if (typeof weights === 'object') {
    const fromWeights = weights.shape[weights.rank - 1];
    if (k === 'energy') {
      throw new WeightSpaceError(`k: 'energy' cannot be combined with a weights tensor (its last dimension fixes k)`);
    }
    if (k !== undefined && k !== fromWeights) {
      throw new WeightSpaceError(`k = ${k} does not match the weights tensor [${weights.shape}] (last dimension ${fromWeights})`);
    }
    k = fromWeights;
  } else if (weights !== 'energy' && weights !== 'uniform') {
    throw new WeightSpaceError(`weights must be 'energy', 'uniform' or a tensor [k] (got ${String(weights)})`);
  }
  k ??= 'energy';
  if (k !== 'energy' && !(Number.isInteger(k) && k >= 1 && k <= maxRank)) {
    throw new WeightSpaceError(`k must be 'energy' or an integer in [1, ${maxRank}] (the larger of the two ranks); got ${String(k)}`);
  }
  if (!(energyRatio > 0 && energyRatio <= 1)) {
    throw new WeightSpaceError(`energyRatio must be in (0, 1] (got ${energyRatio})`);
  }
  if (!(p >= 1 && Number.isFinite(p))) {
    throw new WeightSpaceError(`p must be a finite number >= 1 so that the weighted gap is a norm (got ${p})`);
  }
  return { k, energyRatio, p, weights };
}

/**
 * The weights omega [..., L] of the singular-value gaps, zero beyond each position's k, computed from the
 * TARGET's descending singular values [..., L] and treated as constants (no gradient flows through them).
 * `totalEnergy` [...] is |target|_F^2 when `targetSigma` holds only the leading values (dense path).
 */
export function spectralWeights(targetSigma: Tensor, opts: ResolvedSpectralOptions, totalEnergy?: Tensor): Tensor {
  return constantOf(targetSigma, (sigma) => {
    const size = sigma.shape[sigma.rank - 1] as number;
    if (typeof opts.weights === 'object') {
      const w = opts.weights;
      const pad = w.shape.map((): [number, number] => [0, 0]);
      pad[pad.length - 1] = [0, size - (w.shape[w.rank - 1] as number)];
      return tf.add(tf.zerosLike(sigma), tf.pad(tf.cast(w, 'float32'), pad));
    }
    let inTopK: Tensor;
    if (opts.k === 'energy') {
      // Index i is kept while the energy of the values before it is still short of the ratio.
      const energy = tf.square(sigma);
      const before = tf.cumsum(energy, energy.rank - 1, true);
      const total = totalEnergy ? tf.expandDims(totalEnergy, -1) : tf.sum(energy, -1, true);
      inTopK = tf.cast(tf.less(before, tf.mul(total, opts.energyRatio)), 'float32');
    } else {
      inTopK = tf.add(tf.zerosLike(sigma), tf.cast(tf.less(tf.range(0, size), opts.k), 'float32'));
    }
    const raw = opts.weights === 'energy' ? tf.mul(sigma, inTopK) : inTopK;
    // An all-zero target keeps all-zero weights rather than 0 / 0.
    return tf.div(raw, tf.maximum(tf.sum(raw, -1, true), 1e-30));
  });
}
