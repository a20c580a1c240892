import * as tf from '@tensorflow/tfjs-core';
import type { GradSaveFunc, Tensor } from '@tensorflow/tfjs-core';
import type { CustomGradientFunc } from '../linalg/custom-grad';
import { KERNELS, leftMul, rightMul, runHostKernel, simdKernelsActive } from '../host/registry';
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
    // the host kernel's gradient (registered in host/registry.ts) is singularValueGradient below, on its frames
    return tf.tidy(() => tf.reshape(runHostKernel(KERNELS.svd, { a: factors.A, b: factors.B })[0], [...batch, rank]));
  }
  if (webGpuKernelsServe(rank)) return tf.tidy(() => tf.reshape(runSpectra(factors, null, false)[0], [...batch, rank]));
  const op = tf.customGrad(((a: Tensor, b: Tensor, save: GradSaveFunc) => {
    const { rootA, rootB, columns, right, unit, values, order } = lowRankSvd(a, b);
    save([a, b, rootA, rootB, columns, right, unit, values, order]);
    return {
      value: tf.reshape(values, [...batch, rank]),
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const grads = singularValueGradient(tf.reshape(dy, [-1, rank]), opsFrames(saved));
        return [grads.a(), grads.b()];
      },
    };
  }) as CustomGradientFunc<Tensor>);
  return op(factors.A, factors.B);
}

/** sigma(B A) of every position with the frames of its gradient (see {@link singularValueGradient}). */
export interface SpectrumFrames {
  /** The factors, A [..., r, dIn] and B [..., dOut, r]. */
  a: Tensor;
  b: Tensor;
  /** Singular values, descending, [N, r]. */
  sigma: Tensor;
  /** Left frame L = F_B P and right frame R = F_A Q [N, r, r], columns in sigma's order, zero past the cutoff. */
  left: Tensor;
  right: Tensor;
}

/** dy / sigma, with 1 in place of sigma = 0 (the frames are zero there, so this only keeps 0 * (dy / 0) out). */
const perSigma = (dy: Tensor, sigma: Tensor) => tf.div(dy, tf.where(tf.greater(sigma, 0), sigma, tf.onesLike(sigma)));

/**
 * The r x r weight F diag(dy / sigma) F^T of a frame F [N, r, r]: the gradient of <dy, sigma> is W_L A for A and
 * B W_R for B (see {@link singularValueGradient}). For a caller that fuses it into a larger product.
 */
export const singularValueWeight = (dy: Tensor, sigma: Tensor, frame: Tensor): Tensor =>
  tf.matMul(tf.mul(frame, tf.expandDims(perSigma(dy, sigma), 1)), frame, false, true);

/**
 * The gradient of <dy, sigma(B A)>, the one definition every path uses (the SIMD host kernel's and the tfjs-ops
 * one): with d sigma_i = u_i^T d(dW) v_i, u_i = B R_i / sigma_i and v_i^T = L_i^T A / sigma_i for the frames' i-th
 * columns, d sigma_i / dA = L_i L_i^T A / sigma_i and d sigma_i / dB = B R_i R_i^T / sigma_i, so dA = W_L A and
 * dB = B W_R with W = F diag(dy / sigma) F^T. Frames are zero past the gradient cutoff, so those singular values
 * get a zero (Clarke) subgradient. Thunks, one per factor, as tfjs gradient functions return them.
 */
export function singularValueGradient(dy: Tensor, { a, b, sigma, left, right }: SpectrumFrames): { a: () => Tensor; b: () => Tensor } {
  return {
    a: () => leftMul([[singularValueWeight(dy, sigma, left), a]]),
    b: () => rightMul([[b, singularValueWeight(dy, sigma, right)]]),
  };
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

/**
 * The frames of {@link SpectrumFrames} from the tfjs-ops SVD's pieces (saved by lowRankSingularValues): the core's
 * left vectors are its columns K' v_i over their norms, so L = F_B U and R = F_A V, put in sigma's order by the
 * one-hot `order` and zeroed at or below GRADIENT_CUTOFF sigma_1.
 */
function opsFrames([a, b, rootA, rootB, columns, right, unit, values, order]: Tensor[]): SpectrumFrames {
  const live = tf.greater(unit, tf.mul(tf.max(unit, 1, true), GRADIENT_CUTOFF));
  const keep = tf.expandDims(tf.cast(live, 'float32'), 1);
  const safeUnit = tf.expandDims(tf.where(live, unit, tf.onesLike(unit)), 1);
  // frame columns in sigma's order: F_sorted = F order^T (order's row i picks the unsorted index of the i-th largest)
  const sorted = (frame: Tensor) => tf.matMul(tf.mul(frame, keep), order, false, true);
  return {
    a,
    b,
    sigma: values,
    left: sorted(tf.matMul(rootB, tf.div(columns, safeUnit))),
    right: sorted(tf.matMul(rootA, right)),
  };
}
