import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { KERNELS, runHostKernel, simdKernelsActive } from '../host/registry';
import { lowRankNorm } from '../lowrank/frobenius';
import { lowRankSingularValues } from '../lowrank/singular-values';
import type { LowRankFactors } from '../types';
import { factorShape } from '../validate';
import { runSpectra, webGpuKernelsServe } from '../webgpu/kernels';

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
      return [sigma, normOf(sigma)];
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

/** The target-side quantities the losses read. */
export interface TargetFacts {
  factors: LowRankFactors;
  singularValues: Tensor;
  norm: Tensor;
}

const normOf = (sigma: Tensor) => tf.sqrt(tf.sum(tf.square(sigma), -1));

/**
 * `f` of the prediction and of a raw target of the same shape in ONE call, on the two stacked along a new leading
 * axis: the Grams, eliminations and Jacobi rounds then run once for both instead of twice. Null when the target is
 * prepared or its shape differs (another rank), and on the SIMD kernels (which have no per-op cost to share and
 * would only pay for the copy).
 */
function jointly(pred: LowRankFactors, target: LossTarget, f: (factors: LowRankFactors) => Tensor): Tensor[] | null {
  if (target instanceof PreparedTarget || simdKernelsActive()) return null;
  if (pred.A.shape.join() !== target.A.shape.join() || pred.B.shape.join() !== target.B.shape.join()) return null;
  if (webGpuKernelsServe(pred.A.shape[pred.A.rank - 2] as number)) return null;
  return tf.unstack(f({ A: tf.stack([pred.A, target.A]), B: tf.stack([pred.B, target.B]) }));
}

/** sigma(pred) and the target's facts, the target's computed now (inside the caller's tidy) unless prepared. */
export function spectraOf(pred: LowRankFactors, target: LossTarget): { predSigma: Tensor; facts: TargetFacts } {
  const both = jointly(pred, target, lowRankSingularValues);
  if (both) return { predSigma: both[0], facts: { factors: target as LowRankFactors, singularValues: both[1], norm: normOf(both[1]) } };
  if (target instanceof PreparedTarget) return { predSigma: lowRankSingularValues(pred), facts: target };
  const singularValues = lowRankSingularValues(target);
  return { predSigma: lowRankSingularValues(pred), facts: { factors: target, singularValues, norm: normOf(singularValues) } };
}

/** |pred|_F and |target|_F (cheaper than the singular values when only the angular loss is wanted). */
export function normsOf(pred: LowRankFactors, target: LossTarget): { predNorm: Tensor; targetNorm: Tensor } {
  const both = jointly(pred, target, lowRankNorm);
  if (both) return { predNorm: both[0], targetNorm: both[1] };
  return { predNorm: lowRankNorm(pred), targetNorm: target instanceof PreparedTarget ? target.norm : lowRankNorm(target) };
}

/** What the angular and spectral terms read of a prediction and its target. */
export interface PairFacts {
  /** sigma(pred) per position, descending [..., r_hat]. */
  predSigma: Tensor;
  /** <pred, target>_F per position [...]. */
  inner: Tensor;
  facts: TargetFacts;
}

/**
 * On the SIMD kernels (and the WebGPU kernels), one kernel gives the prediction's singular values, the inner product and (for a raw target)
 * the target's singular values, reading each factor once and saving each once for the gradient; null elsewhere.
 */
export function pairFacts(pred: LowRankFactors, target: LossTarget): PairFacts | null {
  const prepared = target instanceof PreparedTarget;
  const factors = prepared ? target.factors : target;
  if (!simdKernelsActive()) return webGpuPairFacts(pred, factors, prepared ? target : null);
  // the kernel takes factors with any batch axes: reshaping them first would make tfjs copy them for the gradient
  const out = runHostKernel(KERNELS.pair, { a: pred.A, b: pred.B, ta: factors.A, tb: factors.B }, { targetSpectrum: !prepared });
  const batch = pred.A.shape.slice(0, -2);
  const rankOf = (x: Tensor) => x.shape[x.rank - 2] as number;
  const predSigma = tf.reshape(out[0], [...batch, rankOf(pred.A)]);
  const inner = tf.reshape(out[3], batch);
  if (prepared) return { predSigma, inner, facts: target };
  const singularValues = tf.reshape(out[6], [...batch, rankOf(factors.A)]);
  return { predSigma, inner, facts: { factors, singularValues, norm: normOf(singularValues) } };
}

/** {@link pairFacts} on the WebGPU kernels (one dispatch for both spectra and the inner product); null where they do not serve. */
function webGpuPairFacts(pred: LowRankFactors, factors: LowRankFactors, prepared: PreparedTarget | null): PairFacts | null {
  const rankOf = (x: Tensor) => x.shape[x.rank - 2] as number;
  if (!webGpuKernelsServe(rankOf(pred.A), rankOf(factors.A), !prepared)) return null;
  const [sigma, inner, targetSigma] = runSpectra(pred, factors, !prepared);
  const batch = pred.A.shape.slice(0, -2);
  const predSigma = tf.reshape(sigma, [...batch, rankOf(pred.A)]);
  if (prepared) return { predSigma, inner: tf.reshape(inner, batch), facts: prepared };
  const singularValues = tf.reshape(targetSigma, [...batch, rankOf(factors.A)]);
  return { predSigma, inner: tf.reshape(inner, batch), facts: { factors, singularValues, norm: normOf(singularValues) } };
}
