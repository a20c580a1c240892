import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { choleskyFactors } from '../linalg/cholesky';
import { rowGram } from '../linalg/mat-mul';

/** First pass: pivots below this fraction of the largest are raised (the preconditioner only needs to be invertible). */
const PRECONDITIONER_FLOOR = 1e-6;
/** Second pass: its Gram is close to I (or exactly 0 in null directions), so only exact zeros need guarding. */
const REFINED_FLOOR = 1e-12;

/** A [N, r, dIn] (rank along rows) and B [N, dOut, r] (rank along columns), flattened over positions. */
export interface FlatFactors {
  a: Tensor;
  b: Tensor;
}

/** Flattens factors A [..., r, dIn], B [..., dOut, r] to [N, r, dIn] and [N, dOut, r]. */
export function flatFactors(a: Tensor, b: Tensor): FlatFactors {
  const r = a.shape[a.rank - 2] as number;
  return {
    a: tf.reshape(a, [-1, r, a.shape[a.rank - 1] as number]),
    b: tf.reshape(b, [-1, b.shape[b.rank - 2] as number, r]),
  };
}

/**
 * Lower-triangular roots F_A, F_B [N, r, r] with F_A F_A^T = A A^T and F_B F_B^T = B^T B, computed as
 * CholeskyQR2: a Cholesky factor of each Gram orthonormalises the factor once, and the Gram of that nearly
 * orthonormal factor is factored again. The second pass is what makes this accurate for badly conditioned factors
 * (errors grow like eps * cond, not eps * cond^2), which is what a gauge B R, R^-1 A with a large cond(R)
 * produces. F^T is the R of a thin QR of A^T (or of B). A and B share one batched elimination per pass, and every
 * product keeps the long dimension where the wasm kernels read it contiguously (no transposes of A or B).
 */
export function factorRoots({ a, b }: FlatFactors): { rootA: Tensor; rootB: Tensor } {
  return tf.tidy(() => {
    const gramA = rowGram;
    const gramB = (x: Tensor) => tf.matMul(x, x, true, false);
    const first = choleskyFactors(tf.concat([gramA(a), gramB(b)], 0), PRECONDITIONER_FLOOR, true);
    const [invA, invB] = tf.split(first.flooredInverse as Tensor, 2, 0);
    const qa = tf.matMul(invA, a);
    const qb = tf.matMul(b, invB, false, true);
    const second = choleskyFactors(tf.concat([gramA(qa), gramB(qb)], 0), REFINED_FLOOR, false);
    const [rootA, rootB] = tf.split(tf.matMul(first.floored, second.lower), 2, 0);
    return { rootA, rootB };
  });
}

/** The r x r core K = F_B^T F_A [N, r, r] whose singular values are those of dW = B A. */
export function lowRankCore(rootA: Tensor, rootB: Tensor): Tensor {
  return tf.matMul(rootB, rootA, true, false);
}
