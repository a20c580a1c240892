import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { WeightSpaceError } from '../errors';
import { choleskyFactors } from '../linalg/cholesky';
import { lowRankSvd } from '../lowrank/singular-values';
import type { LowRankFactors } from '../types';
import { factorShape } from '../validate';

/**
 * The inverse of invertible r x r matrices R [..., r, r] with tfjs ops: R^-1 = (L1 L2)^-T Q^T from a
 * CholeskyQR2 of R (accurate to about eps * cond(R)). A singular R gives finite but meaningless values.
 */
export function invertGauge(gauge: Tensor): Tensor {
  const r = gauge.shape[gauge.rank - 1] as number;
  if (gauge.rank < 2 || gauge.shape[gauge.rank - 2] !== r) {
    throw new WeightSpaceError(`a gauge must be square [..., r, r] (got [${gauge.shape}])`);
  }
  return tf.tidy(() => {
    const m = tf.reshape(gauge, [-1, r, r]);
    const gram = (x: Tensor) => tf.matMul(x, x, true, false);
    const first = choleskyFactors(gram(m), 1e-12, true);
    const t1 = first.flooredInverse as Tensor;
    const q1 = tf.matMul(m, t1, false, true);
    const t2 = choleskyFactors(gram(q1), 1e-12, true).flooredInverse as Tensor;
    // R = Q L2^T L1^T with Q = R T1^T T2^T, so R^-1 = T1^T T2^T T2 T1 R^T.
    const t = tf.matMul(t2, t1);
    return tf.reshape(tf.matMul(tf.matMul(t, t, true, false), m, false, true), gauge.shape);
  });
}

/**
 * The same update in another gauge: { A: R^-1 A, B: B R } (dW = B A is unchanged). R is [r, r] or one per
 * position [..., r, r].
 */
export function applyGauge(factors: LowRankFactors, gauge: Tensor): LowRankFactors {
  const { rank } = factorShape(factors, 'factors');
  if (gauge.shape[gauge.rank - 1] !== rank || gauge.shape[gauge.rank - 2] !== rank) {
    throw new WeightSpaceError(`gauge [${gauge.shape}] must be [..., ${rank}, ${rank}] for rank-${rank} factors`);
  }
  return tf.tidy(() => ({ A: tf.matMul(invertGauge(gauge), factors.A), B: tf.matMul(factors.B, gauge) }));
}

/**
 * The canonical balanced factorisation of dW = B A: B' = U S^1/2, A' = S^1/2 V^T from the factored SVD, so that
 * B'^T B' = A' A'^T = S (diagonal, descending). Unique up to rotations within repeated singular values; signs
 * are fixed so that each column of B' has a positive sum of cubes. Zero singular values give zero rows/columns.
 */
export function balancedFactors(factors: LowRankFactors): LowRankFactors {
  factorShape(factors, 'factors');
  const { A, B } = factors;
  return tf.tidy(() => {
    const r = A.shape[A.rank - 2] as number;
    const svd = lowRankSvd(A, B);
    const live = tf.greater(svd.unit, tf.mul(tf.max(svd.unit, 1, true), 1e-6));
    const safeUnit = tf.where(live, svd.unit, tf.onesLike(svd.unit));
    // u_i = B F_A v_i / sigma_i and v_i = A^T F_B u_i / sigma_i, so B' = B F_A V S^-1/2, A' = S^-1/2 U^T F_B^T A.
    const sigma = tf.mul(safeUnit, svd.scale);
    const invRoot = tf.where(live, tf.rsqrt(sigma), tf.zerosLike(sigma));
    const u = tf.div(svd.columns, tf.expandDims(safeUnit, 1));
    const flatA = tf.reshape(A, [-1, r, A.shape[A.rank - 1] as number]);
    const flatB = tf.reshape(B, [-1, B.shape[B.rank - 2] as number, r]);
    let newB = tf.matMul(flatB, tf.matMul(svd.rootA, tf.mul(svd.right, tf.expandDims(invRoot, 1))));
    let newA = tf.matMul(tf.matMul(tf.mul(u, tf.expandDims(invRoot, 1)), svd.rootB, true, true), flatA);
    // Descending order, then the sign convention.
    newB = tf.matMul(newB, svd.order, false, true);
    newA = tf.matMul(svd.order, newA);
    const sign = tf.expandDims(tf.step(tf.sum(tf.pow(newB, 3), 1), -1), 1);
    return {
      A: tf.reshape(tf.mul(newA, tf.reshape(sign, [-1, r, 1])), A.shape),
      B: tf.reshape(tf.mul(newB, sign), B.shape),
    };
  });
}
