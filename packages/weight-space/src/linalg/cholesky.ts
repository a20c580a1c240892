import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';

/** Factors of a batched symmetric positive semi-definite Gram matrix G [N, r, r]. */
export interface CholeskyFactors {
  /** L with L L^T = G, also when G is singular (a zero pivot gives a zero column). */
  lower: Tensor;
  /** The inverse of L with every pivot raised to at least `floor`: invertible, used as a preconditioner. */
  flooredInverse: Tensor;
  /** The floored factor itself (equal to `lower` where no pivot was raised); `flooredInverse` inverts it. */
  floored: Tensor;
}

/**
 * Right-looking Cholesky elimination of G [N, r, r], written with tfjs ops (r steps, no data reads).
 * Pivots below `relativeFloor * max(diag G)` are raised to that floor for the division only, so rank-deficient
 * and all-zero Grams give finite factors and never NaN. The inverse is accumulated from the same elimination
 * steps rather than by a triangular solve, which keeps it consistent with `floored` to rounding.
 */
export function choleskyFactors(gram: Tensor, relativeFloor: number): CholeskyFactors {
  return tf.tidy(() => {
    const [n, r] = gram.shape as number[];
    const diag = tf.sum(tf.mul(gram, tf.eye(r)), -1);
    const floor = tf.reshape(tf.add(tf.mul(tf.max(diag, -1), relativeFloor), 1e-30), [n, 1, 1]);
    const rows = tf.range(0, r, 1, 'int32');
    let schur = gram;
    let inverse: Tensor = tf.broadcastTo(tf.eye(r), [n, r, r]);
    const below: Tensor[] = [];
    const pivots: Tensor[] = [];
    const raised: Tensor[] = [];
    for (let j = 0; j < r; j++) {
      const col = tf.slice(schur, [0, 0, j], [n, r, 1]);
      const pivot = tf.slice(col, [0, j, 0], [n, 1, 1]);
      const safe = tf.maximum(pivot, floor);
      const under = tf.mul(col, tf.reshape(tf.cast(tf.greater(rows, j), 'float32'), [r, 1]));
      const multiplier = tf.div(under, safe);
      schur = tf.sub(schur, tf.mul(multiplier, tf.reshape(col, [n, 1, r])));
      inverse = tf.sub(inverse, tf.mul(multiplier, tf.slice(inverse, [0, j, 0], [n, 1, r])));
      below.push(under);
      pivots.push(pivot);
      raised.push(safe);
    }
    const strict = tf.concat(below, 2);
    const eye = tf.eye(r);
    const rootRaised = tf.sqrt(tf.concat(raised, 2));
    const pivotRow = tf.concat(pivots, 2);
    const floored = tf.div(tf.add(strict, tf.mul(eye, tf.concat(raised, 2))), rootRaised);
    const lower = tf.div(tf.add(strict, tf.mul(eye, pivotRow)), rootRaised);
    const flooredInverse = tf.div(inverse, tf.reshape(rootRaised, [n, r, 1]));
    return { lower, floored, flooredInverse };
  });
}
