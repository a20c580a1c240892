import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { choleskyFactors } from './cholesky';

/**
 * An orthonormal basis Q [N, m, l] of the column space of Y [N, m, l] by CholeskyQR2 (Q = Y L1^-T L2^-T).
 * Directions Y does not span come out as (near) zero columns, never NaN.
 */
export function orthonormalColumns(y: Tensor): Tensor {
  return tf.tidy(() => {
    const gram = (x: Tensor) => tf.matMul(x, x, true, false);
    const first = choleskyFactors(gram(y), 1e-6, true);
    const q1 = tf.matMul(y, first.flooredInverse as Tensor, false, true);
    const second = choleskyFactors(gram(q1), 1e-6, true);
    return tf.matMul(q1, second.flooredInverse as Tensor, false, true);
  });
}
