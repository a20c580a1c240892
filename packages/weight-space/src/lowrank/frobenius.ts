import * as tf from '@tensorflow/tfjs-core';
import type { GradSaveFunc, Tensor } from '@tensorflow/tfjs-core';
import type { CustomGradientFunc } from '../linalg/custom-grad';
import type { LowRankFactors } from '../types';
import { KERNELS, simdKernelsActive, runHostKernel } from '../host/registry';
import { factorShape } from '../validate';
import { factorRoots, flatFactors, lowRankCore } from './gram-root';
import { lowRankSingularValues } from './singular-values';
import { matMulTransposedB } from '../linalg/mat-mul';
import { webGpuKernelsServe } from '../webgpu/kernels';

/**
 * <B1 A1, B2 A2>_F per position ([...]) as sum((B1^T B2) * (A1 A2^T)): two r1 x r2 products, no dW.
 * Differentiable by ordinary autodiff (on cpu and wasm: float64 SIMD kernels with their own gradient).
 */
export function lowRankInner(p: LowRankFactors, q: LowRankFactors): Tensor {
  const { batch } = factorShape(p, 'first factors');
  factorShape(q, 'second factors');
  return tf.tidy(() => {
    if (simdKernelsActive()) return tf.reshape(runHostKernel(KERNELS.inner, { a1: p.A, b1: p.B, a2: q.A, b2: q.B })[0], batch);
    const left = flatFactors(p.A, p.B);
    const right = flatFactors(q.A, q.B);
    const crossB = tf.matMul(left.b, right.b, true, false);
    const crossA = matMulTransposedB(left.a, right.a);
    return tf.reshape(tf.sum(tf.mul(crossB, crossA), [1, 2]), batch);
  });
}

/** |dW|_F = sqrt(sum sigma_i^2) from singular values [..., r]; the floor keeps the gradient finite at dW = 0. */
export function normFromSpectrum(sigma: Tensor): Tensor {
  return tf.sqrt(tf.maximum(tf.sum(tf.square(sigma), -1), 1e-30));
}

/**
 * |B A|_F per position ([...]), as the Frobenius norm of the r x r core of the CholeskyQR2 roots: accurate also
 * for badly conditioned gauges, where sum((B^T B) * (A A^T)) loses digits. Gradient dW A^T / |dW| and
 * B^T dW / |dW| in factored form; 0 at dW = 0. On cpu and wasm: sqrt(sum sigma_i^2) from the float64 kernels.
 */
export function lowRankNorm(factors: LowRankFactors): Tensor {
  const { batch, rank } = factorShape(factors, 'factors');
  if (simdKernelsActive() || webGpuKernelsServe(rank)) return tf.tidy(() => normFromSpectrum(lowRankSingularValues(factors)));
  const op = tf.customGrad(((a: Tensor, b: Tensor, save: GradSaveFunc) => {
    const { rootA, rootB } = factorRoots(flatFactors(a, b));
    const norm = tf.sqrt(tf.sum(tf.square(lowRankCore(rootA, rootB)), [1, 2]));
    save([a, b, rootA, rootB, norm]);
    return {
      value: tf.reshape(norm, batch),
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [sa, sb, ra, rb, nrm] = saved;
        const flat = flatFactors(sa, sb);
        const coef = tf.reshape(tf.div(tf.reshape(dy, [-1]), tf.maximum(nrm, 1e-30)), [-1, 1, 1]);
        // dW A^T = B (A A^T) = B F_A F_A^T and B^T dW = F_B F_B^T A.
        const gramA = tf.mul(tf.matMul(ra, ra, false, true), coef);
        const gramB = tf.mul(tf.matMul(rb, rb, false, true), coef);
        const gradB = tf.reshape(tf.matMul(flat.b, gramA, false, true), sb.shape);
        const gradA = tf.reshape(tf.matMul(gramB, flat.a), sa.shape);
        return [gradA, gradB];
      },
    };
  }) as CustomGradientFunc<Tensor>);
  return op(factors.A, factors.B);
}
