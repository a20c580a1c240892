import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { lowRankInner, normFromSpectrum } from '../lowrank/frobenius';
import type { AngularLossOptions, LowRankFactors } from '../types';
import { factorShape, matchingShapes } from '../validate';
import { type LossTarget, PreparedTarget, normsOf, pairFacts } from './prepared-target';
import { reduceLoss } from './reduction';
import { constantOf } from './stop-gradient';

/** 1 - <P, T>_F / (|P|_F |T|_F) per position from the inner product and the two norms; 1 where a norm is 0. */
export function angularFromParts(inner: Tensor, predNorm: Tensor, targetNorm: Tensor): Tensor {
  const denominator = tf.mul(predNorm, targetNorm);
  // A constant 0/1 mask instead of a floor: a floor's square underflows in float32 and turns 0/0 into NaN.
  const defined = constantOf(denominator, (d) => tf.cast(tf.greater(d, 0), 'float32'));
  return tf.sub(1, tf.div(tf.mul(inner, defined), tf.add(denominator, tf.sub(1, defined))));
}

/**
 * The paper's angular loss on dW: L_ang = 1 - <dW_hat, dW>_F / (|dW_hat|_F |dW|_F) per position, computed from
 * the factors without forming either dW (so it is invariant to the gauge B R, R^-1 A and to scale).
 * @param pred the prediction `{ A [..., r_hat, dIn], B [..., dOut, r_hat] }`, differentiable
 * @param target the target `{ A [..., r, dIn], B [..., dOut, r] }` (ranks may differ) or a {@link PreparedTarget}
 * @returns a scalar, or one value per position with `reduction: 'none'`
 */
export function angularLoss(pred: LowRankFactors, target: LossTarget, opts: AngularLossOptions = {}): Tensor {
  const factors = target instanceof PreparedTarget ? target.factors : target;
  matchingShapes(factorShape(pred, 'pred'), factorShape(factors, 'target'));
  return tf.tidy(() => {
    const pair = pairFacts(pred, target);
    if (pair) return reduceLoss(angularFromParts(pair.inner, normFromSpectrum(pair.predSigma), pair.facts.norm), opts.reduction);
    const { predNorm, targetNorm } = normsOf(pred, target);
    return reduceLoss(angularFromParts(lowRankInner(pred, factors), predNorm, targetNorm), opts.reduction);
  });
}
