import type { TensorInfo } from '@tensorflow/tfjs-core';
import { GRAM_BLOCK, type SimdKernels } from '../simd/kernel-abi';
import type { MatrixView } from './small-linalg';

/** One factor operand: where its data is and how it is laid out. */
export interface Factor {
  address: number;
  rank: number;
  length: number;
  /** A's layout [r, length] (rank rows) when true; B's [length, r] (rank columns) when false. */
  rankMajor: boolean;
}

const roundUp = (n: number, to: number) => Math.ceil(n / to) * to;
const lastTwo = (t: TensorInfo) => t.shape.slice(-2);
/** Factors may have any leading (batch) axes: they are positions, one after another. */
export const positionsOf = (t: TensorInfo) => t.shape.slice(0, -2).reduce((n, d) => n * d, 1);
export const rankOfA = (a: TensorInfo) => lastTwo(a)[0];
export function factorA(address: number, a: TensorInfo): Factor {
  const [rank, length] = lastTwo(a);
  return { address, rank, length, rankMajor: true };
}
export function factorB(address: number, b: TensorInfo): Factor {
  const [length, rank] = lastTwo(b);
  return { address, rank, length, rankMajor: false };
}
const totalRank = (stack: Factor[]) => stack.reduce((s, f) => s + f.rank, 0);
/** Bytes of a factor's data over all positions. */
export const factorBytes = (f: Factor, positions: number) => positions * f.rank * f.length * 4;

/** Where Grams are computed: the kernels to call, scratch to allocate, and the doubles of that memory. */
export interface GramSpace {
  kernels: Pick<SimdKernels, 'pack_f64' | 'pack_rows_f64' | 'pack_columns_f64' | 'gram_f64'>;
  scratch(bytes: number): number;
  f64(): Float64Array;
}

/**
 * Where {@link stackedGrams} left position n's Gram: at double offset `offset(n)` of `data()` (a fresh view: take
 * it after the last allocation), rows `stride` doubles apart.
 */
export interface GramLayout {
  data(): Float64Array;
  offset(n: number): number;
  stride: number;
}

/**
 * X_n Y_n^T in float64 for every position n, where X stacks the rank rows of the factors in `xs` (and Y those of
 * `ys`): totalRank(xs) x totalRank(ys) blocks in scratch. Rows are packed into float64 scratch (zero rows and a zero
 * column pad them to the kernel's block sizes and two-double lanes), then reduced by `gram_f64`. When `ys` is `xs`
 * the Gram is symmetric and only its upper triangle is computed. Stacking the prediction's and the target's factors
 * gives their two Grams and their cross Gram from one pass over each.
 */
export function stackedGrams(space: GramSpace, xs: Factor[], ys: Factor[], positions: number): GramLayout {
  const { kernels } = space;
  const same = xs === ys;
  const [rx, ry] = [totalRank(xs), totalRank(ys)];
  const length = Math.max(...xs.map((f) => f.length), ...ys.map((f) => f.length));
  // Rows a multiple of 4 KB apart share cache sets (the packing writes and the Gram reads several at once): pad by a line.
  const stride = roundUp(length, 2) + 8;
  const [px, py] = [roundUp(rx, GRAM_BLOCK.rows), roundUp(ry, GRAM_BLOCK.cols)];
  const packedX = space.scratch((same ? Math.max(px, py) : px) * stride * 8);
  const packedY = same ? packedX : space.scratch(py * stride * 8);
  const out = space.scratch(positions * px * py * 8);
  const pack = (stack: Factor[], n: number, to: number) => {
    let row = 0;
    for (const f of stack) {
      const [from, into] = [f.address + n * f.rank * f.length * 4, to + row * stride * 8];
      if (f.rankMajor && f.length % 8 === 0) kernels.pack_rows_f64(from, f.rank, f.length, into, stride);
      else if (!f.rankMajor && f.length % 2 === 0 && f.rank % 4 === 0) kernels.pack_columns_f64(from, f.length, f.rank, into, stride);
      else kernels.pack_f64(from, f.rank, f.length, f.rankMajor ? f.length : 1, f.rankMajor ? 1 : f.rank, into, stride);
      row += f.rank;
    }
  };
  for (let n = 0; n < positions; n++) {
    pack(xs, n, packedX);
    if (!same) pack(ys, n, packedY);
    kernels.gram_f64(packedX, packedY, px, py, roundUp(length, 2) / 2, stride, out + n * px * py * 8, same ? 1 : 0);
  }
  return { data: space.f64, offset: (n) => out / 8 + n * px * py, stride: py };
}

/** Multiply-adds of {@link stackedGrams} (to decide whether handing them to another thread pays). */
export const gramWork = (xs: Factor[], ys: Factor[], positions: number) =>
  positions * totalRank(xs) * totalRank(ys) * Math.max(...xs.map((f) => f.length));

/** The block of position n's Gram at rows from r0 and columns from c0, on `data` (the layout's fresh view). */
export const gramView = (data: Float64Array, grams: GramLayout, n: number, r0: number, c0: number): MatrixView => ({
  data,
  offset: grams.offset(n) + r0 * grams.stride + c0,
  stride: grams.stride,
});
