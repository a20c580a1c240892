import type { SimdKernels } from '../simd/kernel-abi';
import type { ColumnSweeps } from './small-linalg';

/**
 * Columns whose mutual cosine is below this count as orthogonal. Singular values are then exact to float64 (their
 * error is second order in the cosines); the right vectors are off by about this much and the recovered left ones
 * by this times sigma_1 / sigma_i, which stays below 1e-7 down to the gradient cutoff (1e-5 sigma_1).
 */
const ORTHOGONALITY = 1e-12;
/** When only singular values are wanted: their error is second order in the cosines, about 1e-12 relative here. */
export const VALUES_ORTHOGONALITY = 1e-6;
/** Quadratic convergence takes about 6 sweeps at r = 16 after the pivoted QR; this only bounds a pathological case. */
const MAX_SWEEPS = 60;

/**
 * {@link ColumnSweeps} by the `jacobi_sweeps` SIMD kernel on `scratch`, a byte address with room for `maxRank`
 * columns and norms: each call copies the r x r matrix in (column-major, columns padded to an even length for the
 * two-lane kernel), sweeps until no column pair's cosine exceeds `tolerance`, and copies the columns and norms back.
 */
export function heapJacobi(kernels: SimdKernels, f64: () => Float64Array, scratch: number, maxRank: number, tolerance = ORTHOGONALITY): ColumnSweeps {
  return (matrix, r, norms) => {
    const normsAt = scratch + 8 * maxRank * (maxRank + 1);
    loadColumns(matrix, r, f64(), scratch, normsAt);
    kernels.jacobi_sweeps(scratch, normsAt, r, sweepStride(r), tolerance, MAX_SWEEPS);
    storeColumns(f64(), scratch, normsAt, matrix, r, norms);
  };
}

/** Bytes of scratch {@link heapJacobi} needs for ranks up to `maxRank`. */
export const heapJacobiBytes = (maxRank: number) => 8 * (maxRank * (maxRank + 1) + maxRank);

/** Doubles between the columns the kernel sweeps: r, padded to the kernel's two lanes. */
export const sweepStride = (r: number) => r + (r % 2);

/**
 * The arguments of one `jacobi_sweeps` call on columns at byte address `columns` and norms at `norms` (as
 * {@link loadColumns} left them), to full orthogonality: for a caller that runs the kernel elsewhere.
 */
export const sweepArguments = (columns: number, norms: number, r: number): number[] => [columns, norms, r, sweepStride(r), ORTHOGONALITY, MAX_SWEEPS];

/** The columns of row-major r x r `matrix` into `heap` at byte `columns` (column-major, padded), their squared norms at byte `norms`. */
export function loadColumns(matrix: Float64Array, r: number, heap: Float64Array, columns: number, norms: number): void {
  const stride = sweepStride(r);
  for (let j = 0; j < r; j++) {
    const to = columns / 8 + j * stride;
    let norm = 0;
    for (let i = 0; i < r; i++) {
      const v = matrix[i * r + j];
      heap[to + i] = v;
      norm += v * v;
    }
    if (stride > r) heap[to + r] = 0;
    heap[norms / 8 + j] = norm;
  }
}

/** The swept columns and their squared norms back from `heap` into row-major `matrix` and `norms`. */
export function storeColumns(heap: Float64Array, columns: number, normsAt: number, matrix: Float64Array, r: number, norms: Float64Array): void {
  const stride = sweepStride(r);
  for (let j = 0; j < r; j++) {
    for (let i = 0; i < r; i++) matrix[i * r + j] = heap[columns / 8 + j * stride + i];
    norms[j] = heap[normsAt / 8 + j];
  }
}
