import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import type { LowRankFactors, SpectralLossOptions } from '../types';
import { factorShape, matchingShapes } from '../validate';
import { type LossTarget, PreparedTarget, spectraOf } from './prepared-target';
import { reduceLoss } from './reduction';
import { weightedSpectralGap } from './spectral-gap';
import { resolveSpectralOptions } from './spectral-weights';

/**
 * The paper's spectral loss on dW: per position (sum_{i<=k} w_i |sigma_i(dW_hat) - sigma_i(dW)|^p)^(1/p), with k
 * and the weights taken from the target (defaults: k by 85% energy, w_i = sigma_i / sum_{j<=k} sigma_j, p = 1).
 * Singular values come from the factors (r x r work per position), never from dW.
 * @param pred the prediction `{ A [..., r_hat, dIn], B [..., dOut, r_hat] }`, differentiable
 * @param target the target factors (ranks may differ) or a {@link PreparedTarget} (its singular values are reused)
 * @returns a scalar, or one value per position with `reduction: 'none'`
 */
export function spectralLoss(pred: LowRankFactors, target: LossTarget, opts: SpectralLossOptions = {}): Tensor {
  const factors = target instanceof PreparedTarget ? target.factors : target;
  const predShape = factorShape(pred, 'pred');
  const targetShape = factorShape(factors, 'target');
  matchingShapes(predShape, targetShape);
  const resolved = resolveSpectralOptions(opts, Math.max(predShape.rank, targetShape.rank));
  return tf.tidy(() => {
    const { predSigma, facts } = spectraOf(pred, target);
    const gap = weightedSpectralGap(predSigma, facts.singularValues, resolved);
    return reduceLoss(gap, opts.reduction);
  });
}
