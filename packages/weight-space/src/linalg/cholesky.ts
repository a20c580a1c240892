import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';

/** Factors of a batched symmetric positive semi-definite Gram matrix G [N, r, r]. */
export interface CholeskyFactors {
  /** L with L L^T = G, also when G is singular (a zero pivot gives a zero column). */
  lower: Tensor;
  /** The factor with every pivot raised to at least the floor: invertible, used as a preconditioner. */
  floored: Tensor;
  /** The inverse of `floored` (only when asked for). */
  flooredInverse?: Tensor;
}

/**
 * Right-looking Cholesky elimination of G [N, r, r], written with tfjs ops (r steps, no data reads).
 * A pivot below `relativeFloor * max(diag G)` is rounding noise of a (numerically) rank-deficient Gram: its
 * column is dropped instead of eliminated (dividing noise by noise compounds over the remaining steps), and the
 * floored factor gets sqrt(floor) on its diagonal there so that it stays invertible. So rank-deficient and
 * all-zero Grams give finite factors and never NaN. The inverse, when asked for, is accumulated from the same
 * elimination steps rather than by a triangular solve, which keeps it consistent with `floored`.
 */
export function choleskyFactors(gram: Tensor, relativeFloor: number, withInverse: boolean): CholeskyFactors {
  return tf.tidy(() => {
    const [n, r] = gram.shape as number[];
    const eye = tf.eye(r);
    const floor = tf.add(tf.mul(tf.max(tf.sum(tf.mul(gram, eye), -1), -1, true), relativeFloor), 1e-30);
    const floor3d = tf.reshape(floor, [n, 1, 1]);
    // Column j's rows below j, as constants made once (slicing them per step would cost a kernel each).
    const strictlyBelow = Array.from({ length: r }, (_, j) =>
      tf.tensor2d(
        Array.from({ length: r }, (_, i) => (i > j ? 1 : 0)),
        [r, 1],
      ),
    );
    let schur = gram;
    let inverse: Tensor = tf.broadcastTo(eye, [n, r, r]);
    const below: Tensor[] = [];
    const pivots: Tensor[] = [];
    const keeps: Tensor[] = [];
    const raised: Tensor[] = [];
    for (let j = 0; j < r; j++) {
      const col = tf.slice(schur, [0, 0, j], [n, r, 1]);
      const pivot = tf.slice(col, [0, j, 0], [n, 1, 1]);
      const keep = tf.cast(tf.greaterEqual(pivot, floor3d), 'float32');
      const safe = tf.maximum(pivot, floor3d);
      const under = tf.mul(tf.mul(col, strictlyBelow[j]), keep);
      const multiplier = tf.div(under, safe);
      schur = tf.sub(schur, tf.mul(multiplier, tf.reshape(col, [n, 1, r])));
      if (withInverse) inverse = tf.sub(inverse, tf.mul(multiplier, tf.slice(inverse, [0, j, 0], [n, 1, r])));
      below.push(under);
      pivots.push(pivot);
      keeps.push(keep);
      raised.push(safe);
    }
    // Column j of the factor is (strictly-below part + pivot e_j) / sqrt(raised pivot); rows [n, 1, r] below.
    const strict = tf.concat(below, 2);
    const raisedRow = tf.concat(raised, 2);
    const root = tf.sqrt(raisedRow);
    const keptPivots = tf.mul(tf.concat(pivots, 2), tf.concat(keeps, 2));
    const lower = tf.div(tf.add(strict, tf.mul(eye, keptPivots)), root);
    const floored = tf.div(tf.add(strict, tf.mul(eye, raisedRow)), root);
    if (!withInverse) return { lower, floored };
    return { lower, floored, flooredInverse: tf.div(inverse, tf.reshape(root, [n, r, 1])) };
  });
}
