import type { SimdKernels } from '../simd/kernels';
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
export function heapJacobi(
  kernels: SimdKernels,
  f64: () => Float64Array,
  scratch: number,
  maxRank: number,
  tolerance = ORTHOGONALITY,
): ColumnSweeps {
  return (matrix, r, norms) => {
    const stride = r + (r % 2);
    const heap = f64();
    const base = scratch / 8;
    const normsAt = base + maxRank * (maxRank + 1);
    for (let j = 0; j < r; j++) {
      const to = base + j * stride;
      let norm = 0;
      for (let i = 0; i < r; i++) {
        const v = matrix[i * r + j];
        heap[to + i] = v;
        norm += v * v;
      }
      if (stride > r) heap[to + r] = 0;
      heap[normsAt + j] = norm;
    }
    kernels.jacobi_sweeps(scratch, normsAt * 8, r, stride, tolerance, MAX_SWEEPS);
    for (let j = 0; j < r; j++) {
      for (let i = 0; i < r; i++) matrix[i * r + j] = heap[base + j * stride + i];
      norms[j] = heap[normsAt + j];
    }
  };
}

/** Bytes of scratch {@link heapJacobi} needs for ranks up to `maxRank`. */
export const heapJacobiBytes = (maxRank: number) => 8 * (maxRank * (maxRank + 1) + maxRank);
