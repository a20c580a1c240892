import type { TensorInfo } from '@tensorflow/tfjs-core';
import { GRAM_BLOCK } from '../simd/kernels';
import type { KernelHeap } from './heap';
import { choleskyLower, smallSvd, transposeTimes } from './small-linalg';

/**
 * The work of the factored losses that touches whole factors, on a {@link KernelHeap}: Grams accumulated in float64
 * by the SIMD kernels, then r x r float64 algebra in JS. Factors arrive flattened over positions: A [N, r, dIn]
 * (rank-major) and B [N, dOut, r] (length-major).
 */

/** Singular values at or below this fraction of sigma_1 get a zero gradient (see lowRankSingularValues). */
export const GRADIENT_CUTOFF = 1e-5;

/** One factor operand: where its data is and how it is laid out. */
interface Factor {
  address: number;
  rank: number;
  length: number;
  /** A's layout [r, length] (rank rows) when true; B's [length, r] (rank columns) when false. */
  rankMajor: boolean;
}

const even = (n: number) => n + (n % 2);
const roundUp = (n: number, to: number) => Math.ceil(n / to) * to;
const positionsOf = (t: TensorInfo) => t.shape[0];
const factorA = (heap: KernelHeap, a: TensorInfo): Factor => ({ address: heap.input(a), rank: a.shape[1], length: a.shape[2], rankMajor: true });
const factorB = (heap: KernelHeap, b: TensorInfo): Factor => ({ address: heap.input(b), rank: b.shape[2], length: b.shape[1], rankMajor: false });

/**
 * x_n y_n^T in float64 for every position n, as r_x x r_y row-major blocks: rows of each factor are packed into
 * float64 scratch (zero rows and a zero column pad them to the kernel's block sizes and two-double lanes), then
 * reduced by `gram_f64`.
 */
function crossGrams(heap: KernelHeap, x: Factor, y: Factor, positions: number): Float64Array[] {
  const { kernels } = heap;
  const same = x === y;
  const stride = even(Math.max(x.length, y.length));
  const [px, py] = [roundUp(x.rank, GRAM_BLOCK.rows), roundUp(y.rank, GRAM_BLOCK.cols)];
  const packedX = heap.scratch((same ? Math.max(px, py) : px) * stride * 8);
  const packedY = same ? packedX : heap.scratch(py * stride * 8);
  const out = heap.scratch(px * py * 8);
  const pack = (f: Factor, n: number, to: number) =>
    kernels.pack_f64(f.address + n * f.rank * f.length * 4, f.rank, f.length, f.rankMajor ? f.length : 1, f.rankMajor ? 1 : f.rank, to, stride);
  const grams: Float64Array[] = [];
  for (let n = 0; n < positions; n++) {
    pack(x, n, packedX);
    if (!same) pack(y, n, packedY);
    kernels.gram_f64(packedX, packedY, px, py, stride / 2, stride, out, same ? 1 : 0);
    const padded = heap.f64().subarray(out / 8, out / 8 + px * py);
    const gram = new Float64Array(x.rank * y.rank);
    for (let i = 0; i < x.rank; i++) {
      // A self Gram has only its upper triangle computed: mirror it.
      for (let j = 0; j < y.rank; j++) gram[i * y.rank + j] = same && j < i ? padded[j * py + i] : padded[i * py + j];
    }
    grams.push(gram);
  }
  return grams;
}

/**
 * sigma(B A) per position, descending, with the frames its gradient needs: with Cholesky roots F_A F_A^T = A A^T,
 * F_B F_B^T = B^T B and the SVD of the core K = F_B^T F_A = P S Q^T, the left frame is F_B P and the right frame
 * F_A Q (columns in sigma's order; zero past the gradient cutoff). Then d sigma_i / dA = L_i L_i^T A / sigma_i and
 * d sigma_i / dB = B R_i R_i^T / sigma_i, with L_i, R_i the frames' i-th columns. Outputs: sigma [N, r],
 * left frame [N, r, r], right frame [N, r, r].
 */
export function lowRankSvdKernel(heap: KernelHeap, a: TensorInfo, b: TensorInfo): void {
  const n = positionsOf(a);
  const r = a.shape[1];
  const fa = factorA(heap, a);
  const fb = factorB(heap, b);
  const gramsA = crossGrams(heap, fa, fa, n);
  const gramsB = crossGrams(heap, fb, fb, n);
  const sigmaAt = heap.output([n, r]) / 4;
  const leftAt = heap.output([n, r, r]) / 4;
  const rightAt = heap.output([n, r, r]) / 4;
  const f32 = heap.f32();
  for (let pos = 0; pos < n; pos++) {
    const rootA = choleskyLower(gramsA[pos], r);
    const rootB = choleskyLower(gramsB[pos], r);
    const svd = smallSvd(transposeTimes(rootB, rootA, r), r);
    const cutoff = svd.values[0] * GRADIENT_CUTOFF;
    for (let i = 0; i < r; i++) {
      f32[sigmaAt + pos * r + i] = svd.values[i];
      const live = svd.values[i] > cutoff;
      // frame[row][i] = sum_k root[row][k] vector_i[k]
      for (let row = 0; row < r; row++) {
        let left = 0;
        let right = 0;
        if (live) {
          for (let k = 0; k <= row; k++) {
            left += rootB[row * r + k] * svd.left[i * r + k];
            right += rootA[row * r + k] * svd.right[i * r + k];
          }
        }
        f32[leftAt + pos * r * r + row * r + i] = left;
        f32[rightAt + pos * r * r + row * r + i] = right;
      }
    }
  }
}

/**
 * <B1 A1, B2 A2>_F per position from float64 cross Grams X_A = A1 A2^T and X_B = B1^T B2 (inner = sum X_A * X_B).
 * Outputs: inner [N], X_A [N, r1, r2], X_B [N, r1, r2] (the latter two for the gradient).
 */
export function lowRankInnerKernel(heap: KernelHeap, a1: TensorInfo, b1: TensorInfo, a2: TensorInfo, b2: TensorInfo): void {
  const n = positionsOf(a1);
  const [r1, r2] = [a1.shape[1], a2.shape[1]];
  const crossA = crossGrams(heap, factorA(heap, a1), factorA(heap, a2), n);
  const crossB = crossGrams(heap, factorB(heap, b1), factorB(heap, b2), n);
  const innerAt = heap.output([n]) / 4;
  const crossAAt = heap.output([n, r1, r2]) / 4;
  const crossBAt = heap.output([n, r1, r2]) / 4;
  const f32 = heap.f32();
  for (let pos = 0; pos < n; pos++) {
    let inner = 0;
    for (let i = 0; i < r1 * r2; i++) inner += crossA[pos][i] * crossB[pos][i];
    f32[innerAt + pos] = inner;
    f32.set(crossA[pos], crossAAt + pos * r1 * r2);
    f32.set(crossB[pos], crossBAt + pos * r1 * r2);
  }
}

/** out [N, p, L] = M [N, p, q] X [N, q, L] (L a multiple of 16). */
export function leftMulKernel(heap: KernelHeap, m: TensorInfo, x: TensorInfo): void {
  const [n, p, q] = m.shape;
  const length = x.shape[2];
  const [mAt, xAt] = [heap.input(m), heap.input(x)];
  const out = heap.output([n, p, length]);
  for (let pos = 0; pos < n; pos++) {
    heap.kernels.left_mul(mAt + pos * p * q * 4, p, q, xAt + pos * q * length * 4, length, out + pos * p * length * 4);
  }
}

/** out [N, L, p] = X [N, L, q] M [N, q, p] (p a multiple of 4). */
export function rightMulKernel(heap: KernelHeap, x: TensorInfo, m: TensorInfo): void {
  const [n, q, p] = m.shape;
  const length = x.shape[1];
  const [mAt, xAt] = [heap.input(m), heap.input(x)];
  const out = heap.output([n, length, p]);
  const kernel = p % 16 === 0 ? heap.kernels.right_mul16 : heap.kernels.right_mul;
  for (let pos = 0; pos < n; pos++) {
    kernel(xAt + pos * length * q * 4, length, q, mAt + pos * q * p * 4, p, out + pos * length * p * 4);
  }
}
