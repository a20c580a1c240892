import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { type ResolvedSpectralOptions, spectralWeights } from './spectral-weights';

function padTo(x: Tensor, size: number): Tensor {
  const have = x.shape[x.rank - 1];
  if (have === size) return x;
  const pad = x.shape.map((): [number, number] => [0, 0]);
  pad[pad.length - 1] = [0, size - have];
  return tf.pad(x, pad);
}

/**
 * (sum_i w_i |sigma_hat_i - sigma_i|^p)^(1/p) per position, from descending singular values of prediction
 * [..., r_hat] and target [..., r] (the shorter one is padded with the zeros it implies). A zero gap gives
 * ~1e-37^(1/p) and a zero (not NaN) gradient.
 */
export function weightedSpectralGap(predSigma: Tensor, targetSigma: Tensor, opts: ResolvedSpectralOptions, targetEnergy?: Tensor): Tensor {
  return tf.tidy(() => {
    const size = Math.max(predSigma.shape[predSigma.rank - 1], targetSigma.shape[targetSigma.rank - 1]);
    const target = padTo(targetSigma, size);
    const weights = spectralWeights(target, opts, targetEnergy);
    const gap = tf.abs(tf.sub(padTo(predSigma, size), target));
    const powered = opts.p === 1 ? gap : tf.pow(gap, opts.p);
    const sum = tf.sum(tf.mul(weights, powered), -1);
    if (opts.p === 1) return sum;
    // The floor sends the gradient of the root at a zero gap to 0 instead of Infinity * 0 = NaN.
    return tf.pow(tf.maximum(sum, 1e-37), 1 / opts.p);
  });
}
