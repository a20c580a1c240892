import type { TensorInfo } from '@tensorflow/tfjs-core';
import { GRADIENT_CUTOFF } from '../lowrank/gradient-cutoff';
import { GRAM_BLOCK, RIGHT_MUL_WIDTHS } from '../simd/kernels';
import type { KernelHeap } from './heap';
import { VALUES_ORTHOGONALITY, heapJacobi, heapJacobiBytes } from './heap-jacobi';
import {
  type ColumnSweeps,
  type MatrixView,
  type SvdWorkspace,
  choleskyLower,
  lowerTimes,
  lowerTransposeTimes,
  smallSingularValues,
  smallSvd,
  svdWorkspace,
} from './small-linalg';

/**
 * The work of the factored losses that touches whole factors, on a {@link KernelHeap}: Grams accumulated in float64
 * by the SIMD kernels, then r x r float64 algebra in JS. Factors arrive flattened over positions: A [N, r, dIn]
 * (rank-major) and B [N, dOut, r] (length-major).
 */

/** One factor operand: where its data is and how it is laid out. */
interface Factor {
  address: number;
  rank: number;
  length: number;
  /** A's layout [r, length] (rank rows) when true; B's [length, r] (rank columns) when false. */
  rankMajor: boolean;
}

const roundUp = (n: number, to: number) => Math.ceil(n / to) * to;
/** Factors may have any leading (batch) axes: they are positions, one after another. */
const positionsOf = (t: TensorInfo) => t.shape.slice(0, -2).reduce((n, d) => n * d, 1);
const lastTwo = (t: TensorInfo) => t.shape.slice(-2);
const rankOfA = (a: TensorInfo) => lastTwo(a)[0];
const factorA = (heap: KernelHeap, a: TensorInfo): Factor => {
  const [rank, length] = lastTwo(a);
  return { address: heap.input(a), rank, length, rankMajor: true };
};
const factorB = (heap: KernelHeap, b: TensorInfo): Factor => {
  const [length, rank] = lastTwo(b);
  return { address: heap.input(b), rank, length, rankMajor: false };
};
const totalRank = (stack: Factor[]) => stack.reduce((s, f) => s + f.rank, 0);

/** Where {@link stackedGrams} left position n's Gram: at double offset `offset(n)`, rows `stride` doubles apart. */
interface GramLayout {
  offset(n: number): number;
  stride: number;
}

/**
 * X_n Y_n^T in float64 for every position n, where X stacks the rank rows of the factors in `xs` (and Y those of
 * `ys`): totalRank(xs) x totalRank(ys) blocks in heap scratch. Rows are packed into float64 scratch (zero rows and a
 * zero column pad them to the kernel's block sizes and two-double lanes), then reduced by `gram_f64`. When `ys` is
 * `xs` the Gram is symmetric and only its upper triangle is computed. Stacking the prediction's and the target's
 * factors gives their two Grams and their cross Gram from one pass over each.
 */
function stackedGrams(heap: KernelHeap, xs: Factor[], ys: Factor[], positions: number): GramLayout {
  const { kernels } = heap;
  const same = xs === ys;
  const [rx, ry] = [totalRank(xs), totalRank(ys)];
  const length = Math.max(...xs.map((f) => f.length), ...ys.map((f) => f.length));
  // Rows a multiple of 4 KB apart share cache sets (the packing writes and the Gram reads several at once): pad by a line.
  const stride = roundUp(length, 2) + 8;
  const [px, py] = [roundUp(rx, GRAM_BLOCK.rows), roundUp(ry, GRAM_BLOCK.cols)];
  const packedX = heap.scratch((same ? Math.max(px, py) : px) * stride * 8);
  const packedY = same ? packedX : heap.scratch(py * stride * 8);
  const out = heap.scratch(positions * px * py * 8);
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
  return { offset: (n) => out / 8 + n * px * py, stride: py };
}

/** The block of position n's Gram at rows from r0 and columns from c0, as a view on the heap's doubles. */
const view = (f64: Float64Array, grams: GramLayout, n: number, r0: number, c0: number): MatrixView => ({
  data: f64,
  offset: grams.offset(n) + r0 * grams.stride + c0,
  stride: grams.stride,
});

/** Where one factor pair's spectrum goes: sigma [N, r], left and right frames [N, r, r] (float indices). */
interface SpectrumOutputs {
  sigma: number;
  left: number;
  right: number;
}

/**
 * Jacobi sweeps for ranks up to `maxRank` on scratch of this heap (allocate before taking views of the heap): to
 * full orthogonality for vectors, looser for singular values alone (both share the scratch; calls are sequential).
 */
function jacobiFor(heap: KernelHeap, maxRank: number): { vectors: ColumnSweeps; values: ColumnSweeps } {
  const scratch = heap.scratch(heapJacobiBytes(maxRank));
  return {
    vectors: heapJacobi(heap.kernels, heap.f64, scratch, maxRank),
    values: heapJacobi(heap.kernels, heap.f64, scratch, maxRank, VALUES_ORTHOGONALITY),
  };
}

/** Buffers of one rank's per-position algebra, allocated once per kernel call and overwritten at every position. */
interface RankWorkspace {
  rootA: Float64Array;
  rootB: Float64Array;
  core: Float64Array;
  svd: SvdWorkspace;
  rightFrame: Float64Array;
  leftVectors: Float64Array;
  leftFrame: Float64Array;
}

const rankWorkspace = (r: number): RankWorkspace => ({
  rootA: new Float64Array(r * r),
  rootB: new Float64Array(r * r),
  core: new Float64Array(r * r),
  svd: svdWorkspace(r),
  rightFrame: new Float64Array(r * r),
  leftVectors: new Float64Array(r * r),
  leftFrame: new Float64Array(r * r),
});

/** The core K = F_B^T F_A of a position from its two Gram views, column-major: K^T = F_A^T F_B (the roots stay in `work`). */
const coreOf = ([gramA, gramB]: MatrixView[], r: number, work: RankWorkspace) =>
  lowerTransposeTimes(choleskyLower(gramA, r, work.rootA), choleskyLower(gramB, r, work.rootB), r, r, work.core);

const spectrumOutputs = (heap: KernelHeap, n: number, r: number): SpectrumOutputs => ({
  sigma: heap.output([n, r]) / 4,
  left: heap.output([n, r, r]) / 4,
  right: heap.output([n, r, r]) / 4,
});

/**
 * sigma(B A) of one position, descending, with the frames its gradient needs: with Cholesky roots F_A F_A^T = A A^T,
 * F_B F_B^T = B^T B and the SVD of the core K = F_B^T F_A = P S Q^T, the left frame is F_B P and the right frame
 * F_A Q (columns in sigma's order; zero past the gradient cutoff). Then d sigma_i / dA = L_i L_i^T A / sigma_i and
 * d sigma_i / dB = B R_i R_i^T / sigma_i, with L_i, R_i the frames' i-th columns. The left vectors K q_i / sigma_i
 * are F_B^T (F_A q_i) / sigma_i: from the right frame, by a triangular product rather than K's dense one.
 */
function writeSpectrum(
  f32: Float32Array,
  at: SpectrumOutputs,
  pos: number,
  r: number,
  grams: MatrixView[],
  sweeps: ColumnSweeps,
  work: RankWorkspace,
): void {
  const { values, right } = smallSvd(coreOf(grams, r, work), r, sweeps, work.svd);
  const cutoff = values[0] * GRADIENT_CUTOFF;
  let live = 0;
  while (live < r && values[live] > cutoff) live++;
  const rightFrame = lowerTimes(work.rootA, right, r, live, work.rightFrame);
  const leftVectors = lowerTransposeTimes(work.rootB, rightFrame, r, live, work.leftVectors);
  for (let row = 0; row < r; row++) for (let i = 0; i < live; i++) leftVectors[row * r + i] /= values[i];
  f32.set(values, at.sigma + pos * r);
  f32.set(lowerTimes(work.rootB, leftVectors, r, live, work.leftFrame), at.left + pos * r * r);
  f32.set(rightFrame, at.right + pos * r * r);
}

/** Outputs: sigma [N, r], left frame [N, r, r], right frame [N, r, r] (see writeSpectrum). */
export function lowRankSvdKernel(heap: KernelHeap, a: TensorInfo, b: TensorInfo): void {
  const n = positionsOf(a);
  const r = rankOfA(a);
  const as = [factorA(heap, a)];
  const bs = [factorB(heap, b)];
  const gramsA = stackedGrams(heap, as, as, n);
  const gramsB = stackedGrams(heap, bs, bs, n);
  const at = spectrumOutputs(heap, n, r);
  const { vectors } = jacobiFor(heap, r);
  const work = rankWorkspace(r);
  const [f32, f64] = [heap.f32(), heap.f64()];
  for (let pos = 0; pos < n; pos++) writeSpectrum(f32, at, pos, r, [view(f64, gramsA, pos, 0, 0), view(f64, gramsB, pos, 0, 0)], vectors, work);
}

/** Where the cross terms go: inner [N], X_A = A1 A2^T and X_B = B1^T B2 [N, r1, r2] (float indices). */
interface InnerOutputs {
  inner: number;
  crossA: number;
  crossB: number;
}

const innerOutputs = (heap: KernelHeap, n: number, r1: number, r2: number): InnerOutputs => ({
  inner: heap.output([n]) / 4,
  crossA: heap.output([n, r1, r2]) / 4,
  crossB: heap.output([n, r1, r2]) / 4,
});

/** <B1 A1, B2 A2>_F = sum X_A * X_B, and the cross Grams (kept for the gradient). */
function writeInner(f32: Float32Array, at: InnerOutputs, pos: number, [r1, r2]: number[], crossA: MatrixView, crossB: MatrixView): void {
  let inner = 0;
  for (let i = 0; i < r1; i++) {
    for (let j = 0; j < r2; j++) {
      const xa = crossA.data[crossA.offset + i * crossA.stride + j];
      const xb = crossB.data[crossB.offset + i * crossB.stride + j];
      inner += xa * xb;
      f32[at.crossA + (pos * r1 + i) * r2 + j] = xa;
      f32[at.crossB + (pos * r1 + i) * r2 + j] = xb;
    }
  }
  f32[at.inner + pos] = inner;
}

/** <B1 A1, B2 A2>_F per position from float64 cross Grams. Outputs: inner [N], X_A [N, r1, r2], X_B [N, r1, r2]. */
export function lowRankInnerKernel(heap: KernelHeap, a1: TensorInfo, b1: TensorInfo, a2: TensorInfo, b2: TensorInfo): void {
  const n = positionsOf(a1);
  const ranks = [rankOfA(a1), rankOfA(a2)];
  const crossA = stackedGrams(heap, [factorA(heap, a1)], [factorA(heap, a2)], n);
  const crossB = stackedGrams(heap, [factorB(heap, b1)], [factorB(heap, b2)], n);
  const at = innerOutputs(heap, n, ranks[0], ranks[1]);
  const [f32, f64] = [heap.f32(), heap.f64()];
  for (let pos = 0; pos < n; pos++) writeInner(f32, at, pos, ranks, view(f64, crossA, pos, 0, 0), view(f64, crossB, pos, 0, 0));
}

/**
 * Everything the losses need of a prediction and its target in one pass over each factor: the stacked Grams of
 * [A; A_t] and [B, B_t] hold both factor pairs' Grams and their cross Grams. Outputs: the prediction's spectrum
 * (sigma, left, right), the inner product and cross Grams (inner, X_A, X_B), and with `targetSpectrum` the
 * target's singular values (skipped for a prepared target, whose singular values are known). The target's frames
 * are not made here: a target is nearly always constant, and its gradient recomputes them when it is not.
 */
export function factoredPairKernel(
  heap: KernelHeap,
  [a, b, ta, tb]: TensorInfo[],
  targetSpectrum: boolean,
): void {
  const n = positionsOf(a);
  const [r, rt] = [rankOfA(a), rankOfA(ta)];
  const as = [factorA(heap, a), factorA(heap, ta)];
  const bs = [factorB(heap, b), factorB(heap, tb)];
  const gramsA = stackedGrams(heap, as, as, n);
  const gramsB = stackedGrams(heap, bs, bs, n);
  const pred = spectrumOutputs(heap, n, r);
  const cross = innerOutputs(heap, n, r, rt);
  const targetSigma = targetSpectrum ? heap.output([n, rt]) / 4 : null;
  const sweeps = jacobiFor(heap, Math.max(r, rt));
  const [predWork, targetWork] = [rankWorkspace(r), rankWorkspace(rt)];
  const [f32, f64] = [heap.f32(), heap.f64()];
  // blocks of the stacked Grams: [0, r) is the prediction, [r, r + rt) the target
  const blocks = (pos: number, r0: number, c0: number) => [view(f64, gramsA, pos, r0, c0), view(f64, gramsB, pos, r0, c0)];
  for (let pos = 0; pos < n; pos++) {
    writeSpectrum(f32, pred, pos, r, blocks(pos, 0, 0), sweeps.vectors, predWork);
    const [crossA, crossB] = blocks(pos, 0, r);
    writeInner(f32, cross, pos, [r, rt], crossA, crossB);
    if (targetSigma === null) continue;
    f32.set(smallSingularValues(coreOf(blocks(pos, r, r), rt, targetWork), rt, sweeps.values, targetWork.svd), targetSigma + pos * rt);
  }
}

/** One term of a product sum on the heap: its operands' addresses and inner size (q = 0 for an absent term). */
interface ProductTerm {
  first: number;
  second: number;
  q: number;
}

/** The terms of a product kernel's inputs (pairs of operands; the inner size is the first operand's last axis). */
function productTerms(heap: KernelHeap, inputs: TensorInfo[]): ProductTerm[] {
  const terms: ProductTerm[] = [];
  for (let t = 0; t < 2; t++) {
    const [u, v] = [inputs[2 * t], inputs[2 * t + 1]];
    terms.push(u ? { first: heap.input(u), second: heap.input(v), q: u.shape[2] } : { first: 0, second: 0, q: 0 });
  }
  return terms;
}

/** out [N, p, L] = sum_t M_t [N, p, q_t] X_t [N, q_t, L] (L a multiple of 16); inputs as m0, x0, m1, x1. */
export function leftMulKernel(heap: KernelHeap, inputs: TensorInfo[]): void {
  const [n, p] = inputs[0].shape;
  const length = inputs[1].shape[2];
  const [t1, t2] = productTerms(heap, inputs);
  const out = heap.output([n, p, length]);
  const panel = heap.scratch(64 * (t1.q + t2.q));
  for (let pos = 0; pos < n; pos++) {
    const m = (t: ProductTerm) => t.first + pos * p * t.q * 4;
    const x = (t: ProductTerm) => t.second + pos * t.q * length * 4;
    heap.kernels.left_mul(m(t1), t1.q, x(t1), m(t2), t2.q, x(t2), p, length, out + pos * p * length * 4, panel);
  }
}

/** out [N, L, p] = sum_t X_t [N, L, q_t] M_t [N, q_t, p] (p a multiple of 4); inputs as x0, m0, x1, m1. */
export function rightMulKernel(heap: KernelHeap, inputs: TensorInfo[]): void {
  const [n, length] = inputs[0].shape;
  const p = inputs[1].shape[2];
  const [t1, t2] = productTerms(heap, inputs);
  const out = heap.output([n, length, p]);
  const kernel = heap.kernels[`right_mul${RIGHT_MUL_WIDTHS.find((w) => p % w === 0) ?? 4}`];
  for (let pos = 0; pos < n; pos++) {
    const x = (t: ProductTerm) => t.first + pos * length * t.q * 4;
    const m = (t: ProductTerm) => t.second + pos * t.q * p * 4;
    kernel(x(t1), t1.q, m(t1), x(t2), t2.q, m(t2), length, p, out + pos * length * p * 4);
  }
}
