import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { lowRankInner, normFromSpectrum } from '../lowrank/frobenius';
import type { AdapterLossOptions, LowRankFactors } from '../types';
import { factorShape, matchingShapes } from '../validate';
import { angularFromParts } from './angular';
import { type LossTarget, PreparedTarget, pairFacts, spectraOf } from './prepared-target';
import { reduceLoss } from './reduction';
import { weightedSpectralGap } from './spectral-gap';
import { resolveSpectralOptions } from './spectral-weights';

/**
 * The paper's reconstruction loss w_ang L_ang + w_spec L_spec (reference weights 1 and 2), sharing the
 * prediction's singular values between the two terms (its norm is sqrt(sum sigma_i^2)).
 * @returns a scalar, or one value per position with `reduction: 'none'`
 */
export function adapterLoss(pred: LowRankFactors, target: LossTarget, opts: AdapterLossOptions = {}): Tensor {
  const { angularWeight = 1, spectralWeight = 2 } = opts;
  const factors = target instanceof PreparedTarget ? target.factors : target;
  const predShape = factorShape(pred, 'pred');
  const targetShape = factorShape(factors, 'target');
  matchingShapes(predShape, targetShape);
  const spectralOpts = resolveSpectralOptions(opts.spectral ?? {}, Math.max(predShape.rank, targetShape.rank));
  return tf.tidy(() => {
    const { predSigma, inner, facts } = pairFacts(pred, target) ?? { ...spectraOf(pred, target), inner: lowRankInner(pred, factors) };
    const angular = angularFromParts(inner, normFromSpectrum(predSigma), facts.norm);
    const spectral = weightedSpectralGap(predSigma, facts.singularValues, spectralOpts);
    return reduceLoss(tf.add(tf.mul(angular, angularWeight), tf.mul(spectral, spectralWeight)), opts.reduction);
  });
}
