import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { KERNELS, runHostKernel, simdKernelsActive } from '../host/registry';
import { lowRankSvd } from './singular-values';
import type { FlatFactors } from './gram-root';

/**
 * The spectrum of M = sum_t c_t B_t A_t per position, factored. With the factors stacked along the rank,
 * M = B_w A_s for B_w = [c_1 B_1, ..., c_T B_T] and A_s = [A_1; ...; A_T] (rank R = sum_t r_t); with roots
 * F_A F_A^T = A_s A_s^T, F_B F_B^T = B_w^T B_w and the SVD of the R x R core F_B^T F_A = P S Q^T, M's singular
 * values are S, its right vectors v_i = A_s^T (F_B p_i) / sigma_i and its left ones u_i = B_w (F_A q_i) / sigma_i.
 */
export interface SumSpectrum {
  /** sigma [N, R], descending. */
  values: Tensor;
  /** F_B P [N, R, R], columns in sigma's order (zero for sigma = 0), rows in stack order. */
  left: Tensor;
  /** F_A Q [N, R, R], likewise. */
  right: Tensor;
  /** |B_w|_F |A_s|_F [N]: a bound on |M|_F and the scale of the solver's rounding. */
  scale: Tensor;
  /**
   * Singular values at or below noise * scale are rounding (a sum that cancels to zero comes out at about this
   * level, not at zero): 1e-12 for the float64 kernel, 1e-5 for the float32 tfjs ops.
   */
  noise: number;
}

/** Below this fraction of sigma_1 the float32 Jacobi's vectors are noise: their frame columns are zeroed. */
const OPS_FRAME_CUTOFF = 1e-6;

/**
 * {@link SumSpectrum} of terms flattened to [N, r_t, dIn] / [N, dOut, r_t], with at least the leading `frames` frame
 * columns (the SIMD kernel computes no more: the rest are zero). On cpu and wasm one SIMD kernel reads
 * every factor where it is and works in float64 (the stack is never copied, the coefficients scale its Gram);
 * elsewhere the stack is concatenated and solved by the tfjs-ops factored SVD (float32 CholeskyQR2 and Jacobi).
 */
export function sumSpectrum(terms: FlatFactors[], coefficients: number[], frames: number): SumSpectrum {
  if (simdKernelsActive()) {
    const inputs = Object.fromEntries(
      terms.flatMap(({ a, b }, t) => [
        [`a${t}`, a],
        [`b${t}`, b],
      ]),
    );
    const [values, left, right, scale] = runHostKernel(KERNELS.sumSvd, inputs, { coefficients, frames });
    return { values, left, right, scale, noise: 1e-12 };
  }
  return tf.tidy(() => {
    const a = tf.concat(
      terms.map((t) => t.a),
      1,
    );
    const b = tf.concat(
      terms.map((t, i) => tf.mul(t.b, coefficients[i])),
      2,
    );
    const svd = lowRankSvd(a, b);
    const live = tf.greater(svd.unit, tf.mul(tf.max(svd.unit, 1, true), OPS_FRAME_CUTOFF));
    const mask = tf.expandDims(tf.cast(live, 'float32'), 1);
    const unit = tf.expandDims(tf.where(live, svd.unit, tf.onesLike(svd.unit)), 1);
    // columns holds K' q_i = (sigma_i / scale) p_i: p_i = column / unit. Then sort by the one-hot order.
    const sorted = (x: Tensor) => tf.matMul(x, svd.order, false, true);
    const squares = (x: Tensor) => tf.sum(tf.square(x), [1, 2]);
    return {
      values: svd.values,
      left: sorted(tf.matMul(svd.rootB, tf.mul(tf.div(svd.columns, unit), mask))),
      right: sorted(tf.matMul(svd.rootA, tf.mul(svd.right, mask))),
      scale: tf.sqrt(tf.mul(squares(a), squares(b))),
      noise: 1e-5,
    };
  });
}
