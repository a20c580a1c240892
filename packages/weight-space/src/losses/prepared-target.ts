import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { lowRankNorm } from '../lowrank/frobenius';
import { lowRankSingularValues } from '../lowrank/singular-values';
import type { LowRankFactors } from '../types';
import { factorShape } from '../validate';

/**
 * A target whose step-independent work is done once: its singular values and norm. Pass it wherever a target is
 * accepted; call {@link PreparedTarget.dispose} when the target is no longer used.
 */
export class PreparedTarget {
  /** The target's factors (not copied: keep them alive while this object is used). */
  readonly factors: LowRankFactors;
  /** sigma(B A) per position, descending [..., r]. */
  readonly singularValues: Tensor;
  /** |B A|_F per position [...]. */
  readonly norm: Tensor;

  constructor(factors: LowRankFactors) {
    factorShape(factors, 'target');
    this.factors = factors;
    [this.singularValues, this.norm] = tf.tidy(() => {
      const sigma = lowRankSingularValues(factors);
      return [sigma, tf.sqrt(tf.sum(tf.square(sigma), -1))];
    });
  }

  /** Releases the cached tensors (not the factors). */
  dispose(): void {
    this.singularValues.dispose();
    this.norm.dispose();
  }
}

/** Does the target-only work of the losses once, for reuse across training steps. */
export function prepareTarget(target: LowRankFactors): PreparedTarget {
  return new PreparedTarget(target);
}

/** A target as the losses accept it: raw factors or a {@link PreparedTarget}. */
export type LossTarget = LowRankFactors | PreparedTarget;

/** The target's factors, singular values and norm; computed now (inside the caller's tidy) unless prepared. */
export function targetFacts(target: LossTarget): { factors: LowRankFactors; singularValues: Tensor; norm: Tensor } {
  if (target instanceof PreparedTarget) return target;
  const singularValues = lowRankSingularValues(target);
  return { factors: target, singularValues, norm: tf.sqrt(tf.sum(tf.square(singularValues), -1)) };
}

/** Norm only (cheaper than the singular values when a raw target is given to the angular loss). */
export function targetNorm(target: LossTarget): Tensor {
  return target instanceof PreparedTarget ? target.norm : lowRankNorm(target);
}
