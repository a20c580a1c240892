import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { angularFromParts } from '../losses/angular';
import { reduceLoss } from '../losses/reduction';
import { weightedSpectralGap } from '../losses/spectral-gap';
import { resolveSpectralOptions } from '../losses/spectral-weights';
import type { AngularLossOptions, SpectralLossOptions } from '../types';
import { denseShapes } from '../validate';
import { type DenseSpectrumOptions, denseRank, denseSingularValues } from './dense-singular-values';

const sumLast2 = (x: Tensor) => tf.sum(x, [-2, -1]);

/**
 * {@link angularLoss} on dense updates dW [..., dOut, dIn] (for updates that are not low rank, and as the
 * reference path): 1 - <P, T>_F / (|P|_F |T|_F) per position.
 */
export function denseAngularLoss(pred: Tensor, target: Tensor, opts: AngularLossOptions = {}): Tensor {
  denseShapes(pred, target);
  return tf.tidy(() => {
    // The floor keeps the gradient of the square root finite at an all-zero prediction.
    const norm = (x: Tensor) => tf.sqrt(tf.maximum(sumLast2(tf.square(x)), 1e-30));
    return reduceLoss(angularFromParts(sumLast2(tf.mul(pred, target)), norm(pred), norm(target)), opts.reduction);
  });
}

/**
 * {@link spectralLoss} on dense updates dW [..., dOut, dIn], with the leading singular values from
 * {@link denseSingularValues} (`k` may not exceed `rank`; the energy rule uses the full |target|_F^2).
 */
export function denseSpectralLoss(pred: Tensor, target: Tensor, opts: SpectralLossOptions & DenseSpectrumOptions = {}): Tensor {
  denseShapes(pred, target);
  const { rank } = denseRank(pred.shape as number[], opts);
  const resolved = resolveSpectralOptions(opts, rank);
  return tf.tidy(() => {
    const gap = weightedSpectralGap(denseSingularValues(pred, opts), denseSingularValues(target, opts), resolved, sumLast2(tf.square(target)));
    return reduceLoss(gap, opts.reduction);
  });
}
