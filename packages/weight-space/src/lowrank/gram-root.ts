import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { choleskyFactors } from '../linalg/cholesky';

/** First pass: pivots below this fraction of the largest are raised (the preconditioner only needs to be invertible). */
const PRECONDITIONER_FLOOR = 1e-6;
/** Second pass: its Gram is close to I (or exactly 0 in null directions), so only exact zeros need guarding. */
const REFINED_FLOOR = 1e-12;

/**
 * A lower-triangular F [N, r, r] with F F^T = X X^T for a batch of wide matrices X [N, r, d] (the r rows of a
 * LoRA factor: A itself, or B transposed), computed as CholeskyQR2: a Cholesky factor of the Gram orthonormalises
 * the rows once, and the Gram of those nearly orthonormal rows is factored again. The second pass is what makes
 * this accurate for badly conditioned factors (errors grow like eps * cond(X), not eps * cond(X)^2), which is
 * what a gauge B R, R^-1 A with a large cond(R) produces. F^T is the R of a thin QR of X^T.
 */
export function gramRoot(x: Tensor): Tensor {
  return tf.tidy(() => {
    const first = choleskyFactors(tf.matMul(x, x, false, true), PRECONDITIONER_FLOOR);
    const orthonormalRows = tf.matMul(first.flooredInverse, x);
    const second = choleskyFactors(tf.matMul(orthonormalRows, orthonormalRows, false, true), REFINED_FLOOR);
    return tf.matMul(first.floored, second.lower);
  });
}

/** Flattens factors to A [N, r, dIn] and B^T [N, r, dOut] (rows first, the layout the Gram products use). */
export function factorRows(a: Tensor, b: Tensor): { rowsA: Tensor; rowsB: Tensor } {
  const r = a.shape[a.rank - 2];
  const rowsA = tf.reshape(a, [-1, r, a.shape[a.rank - 1]]);
  const rowsB = tf.transpose(tf.reshape(b, [-1, b.shape[b.rank - 2], r]), [0, 2, 1]);
  return { rowsA, rowsB };
}

/** The r x r core K = F_B^T F_A [N, r, r] whose singular values are those of dW = B A. */
export function lowRankCore(rootA: Tensor, rootB: Tensor): Tensor {
  return tf.matMul(rootB, rootA, true, false);
}
