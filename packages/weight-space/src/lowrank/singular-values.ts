import * as tf from '@tensorflow/tfjs-core';
import type { GradSaveFunc, Tensor } from '@tensorflow/tfjs-core';
import type { CustomGradientFunc } from '../linalg/custom-grad';
import { KERNELS, simdKernelsActive, runHostKernel } from '../host/registry';
import { jacobiSvd, jacobiSweeps } from '../linalg/jacobi-svd';
import type { LowRankFactors } from '../types';
import { factorShape } from '../validate';
import { runSpectra, webGpuKernelsServe } from '../webgpu/kernels';
import { factorRoots, flatFactors, lowRankCore } from './gram-root';
import { GRADIENT_CUTOFF } from './gradient-cutoff';

/**
 * The r singular values of dW = B A, in descending order, per position ([..., r]), without forming dW: CholeskyQR2
 * roots of the two r x r Grams give an r x r core with the same singular values, which a Jacobi SVD solves.
 * Differentiable in A and B through d sigma_i = u_i^T d(dW) v_i, written in factored form (no inverse, no division
 * by sigma_i - sigma_j): repeated singular values get a valid subgradient (the one of the basis the solver
 * returned) and never NaN. Singular values at or below GRADIENT_CUTOFF (1e-5) of sigma_1 get a zero gradient: at
 * sigma_i = 0 it is not differentiable and 0 is a valid (Clarke) subgradient; just above it float32 cannot
 * resolve u_i, v_i.
 *
 * On cpu and wasm the factors are reduced to float64 Grams by WebAssembly SIMD kernels and the r x r work runs in
 * float64 (Cholesky roots, then a Jacobi SVD to convergence); on webgpu one WGSL kernel does the same work in float32
 * (CholeskyQR2 roots, then Jacobi), one dispatch for all positions (webgpu/spectra-program.ts); elsewhere
 * CholeskyQR2 and a fixed-sweep Jacobi written with tfjs ops keep everything on the device.
 */
export function lowRankSingularValues(factors: LowRankFactors): Tensor {
  const { batch, rank } = factorShape(factors, 'factors');
  if (simdKernelsActive()) {
    return tf.tidy(() => tf.reshape(runHostKernel(KERNELS.svd, { a: factors.A, b: factors.B })[0], [...batch, rank]));
  }
  if (webGpuKernelsServe(rank)) return tf.tidy(() => tf.reshape(runSpectra(factors, null, false)[0], [...batch, rank]));
  const op = tf.customGrad(((a: Tensor, b: Tensor, save: GradSaveFunc) => {
    const { rootA, rootB, columns, right, unit, scale, values, order } = lowRankSvd(a, b);
    save([a, b, rootA, rootB, columns, right, unit, scale, order]);
    return {
      value: tf.reshape(values, [...batch, rank]),
      gradFunc: (dy: Tensor, saved: Tensor[]) => singularValueGradient(dy, saved),
    };
  }) as CustomGradientFunc<Tensor>);
  return op(factors.A, factors.B);
}

/** The pieces of the factored SVD of dW = B A, flattened over positions ([N, ...]). */
export interface LowRankSvd {
  /** F_A, F_B [N, r, r]: F_A F_A^T = A A^T, F_B F_B^T = B^T B. */
  rootA: Tensor;
  rootB: Tensor;
  /** K' V [N, r, r] for the unit-norm core K' = K / scale: column i is (sigma_i / scale) u_i, unsorted. */
  columns: Tensor;
  /** V [N, r, r]: right singular vectors of the core, unsorted. */
  right: Tensor;
  /** sigma_i / scale [N, r], unsorted. */
  unit: Tensor;
  /** |K|_F [N, 1]. */
  scale: Tensor;
  /** sigma descending [N, r]. */
  values: Tensor;
  /** [N, r, r] one-hot: row i picks the unsorted index of the i-th largest. */
  order: Tensor;
}

/** Factored SVD of B A for A [..., r, dIn], B [..., dOut, r] (no gradient; see {@link lowRankSingularValues}). */
export function lowRankSvd(a: Tensor, b: Tensor): LowRankSvd {
  return tf.tidy(() => {
    const rank = a.shape[a.rank - 2] as number;
    const { rootA, rootB } = factorRoots(flatFactors(a, b));
    const core = lowRankCore(rootA, rootB);
    // Jacobi works on a unit-norm core: the rotation angles need no guard against under/overflow.
    const scale = tf.maximum(tf.sqrt(tf.sum(tf.square(core), [1, 2])), 1e-30);
    const { columns, right } = jacobiSvd(tf.div(core, tf.reshape(scale, [-1, 1, 1])), jacobiSweeps(rank));
    const unit = tf.sqrt(tf.sum(tf.square(columns), 1));
    const flatScale = tf.reshape(scale, [-1, 1]);
    const { values, indices } = tf.topk(tf.mul(unit, flatScale), rank);
    const order = tf.cast(tf.oneHot(indices, rank), 'float32');
    return { rootA, rootB, columns, right, unit, scale: flatScale, values, order };
  });
}

function singularValueGradient(dy: Tensor, saved: Tensor[]): Tensor[] {
  const [a, b, rootA, rootB, columns, right, unit, scale, order] = saved;
  const r = unit.shape[1] as number;
  // Back from sorted order to the solver's column order.
  const g = tf.reshape(tf.matMul(tf.reshape(dy, [-1, 1, r]), order), [-1, r]);
  const live = tf.greater(unit, tf.mul(tf.max(unit, 1, true), GRADIENT_CUTOFF));
  const safeUnit = tf.where(live, unit, tf.onesLike(unit));
  // c_i = g_i / sigma_i on live singular values, 0 on the rest.
  const coef = tf.where(live, tf.div(g, tf.mul(safeUnit, scale)), tf.zerosLike(g));
  const weightV = tf.matMul(tf.mul(right, tf.expandDims(coef, 1)), right, false, true);
  const weightU = tf.matMul(
    tf.mul(columns, tf.expandDims(tf.div(coef, tf.square(safeUnit)), 1)),
    columns,
    false,
    true,
  );
  // dL/dB = B F_A W_V F_A^T and dL/dA = F_B W_U F_B^T A (u_i = B F_A v_i / sigma_i, A v_i = F_A v_i).
  const sandwichB = tf.matMul(tf.matMul(rootA, weightV), rootA, false, true);
  const sandwichA = tf.matMul(tf.matMul(rootB, weightU), rootB, false, true);
  const flat = flatFactors(a, b);
  // Both sandwiches are symmetric: B S is computed as B S^T, the layout the wasm kernel reads contiguously.
  const gradB = tf.reshape(tf.matMul(flat.b, sandwichB, false, true), b.shape);
  const gradA = tf.reshape(tf.matMul(sandwichA, flat.a), a.shape);
  return [gradA, gradB];
}
