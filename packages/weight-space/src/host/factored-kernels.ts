import type { NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { GRADIENT_CUTOFF } from '../lowrank/gradient-cutoff';
import { RIGHT_MUL_WIDTHS } from '../simd/kernels';
import { gramsOnWorker } from './gram-worker';
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
import { type Factor, type GramLayout, factorA, factorB, gramView, positionsOf, rankOfA, stackedGrams } from './stacked-grams';

/**
 * The work of the factored losses that touches whole factors, on a {@link KernelHeap}: Grams accumulated in float64
 * by the SIMD kernels (the B side's on a second thread where there is one), then r x r float64 algebra in JS.
 * Factors arrive with any batch axes: A [..., r, dIn] (rank-major) and B [..., dOut, r] (length-major).
 */

const inputA = (heap: KernelHeap, a: TensorInfo) => factorA(heap.input(a), a);
const inputB = (heap: KernelHeap, b: TensorInfo) => factorB(heap.input(b), b);

/**
 * The stacked Grams of the A side ([xsA, ysA]) and of the B side: the B side's on the worker thread while this one
 * does the A side's, or both here (no worker, too little work, or a worker that failed).
 */
function gramsOfBoth(heap: KernelHeap, [xsA, ysA]: Factor[][], [xsB, ysB]: Factor[][], positions: number): [GramLayout, GramLayout] {
  const pending = gramsOnWorker(heap, xsB, ysB, positions);
  const gramsA = stackedGrams(heap, xsA, ysA, positions);
  return [gramsA, pending?.wait() ?? stackedGrams(heap, xsB, ysB, positions)];
}

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

/** Which frame columns {@link writeSpectrum} computes: the leading `columns`, down to `cutoffFraction` sigma_1. */
interface FrameOptions {
  cutoffFraction: number;
  columns: number;
}

/**
 * sigma(B A) of one position, descending, with the frames its gradient needs: with Cholesky roots F_A F_A^T = A A^T,
 * F_B F_B^T = B^T B and the SVD of the core K = F_B^T F_A = P S Q^T, the left frame is F_B P and the right frame
 * F_A Q (columns in sigma's order; zero past the gradient cutoff). Then d sigma_i / dA = L_i L_i^T A / sigma_i and
 * d sigma_i / dB = B R_i R_i^T / sigma_i, with L_i, R_i the frames' i-th columns. The left vectors K q_i / sigma_i
 * are F_B^T (F_A q_i) / sigma_i: from the right frame, by a triangular product rather than K's dense one. Frame
 * columns past `columns` or of singular values at or below `cutoffFraction` sigma_1 are zero.
 */
function writeSpectrum(
  f32: Float32Array,
  at: SpectrumOutputs,
  pos: number,
  r: number,
  grams: MatrixView[],
  sweeps: ColumnSweeps,
  work: RankWorkspace,
  { cutoffFraction, columns }: FrameOptions = { cutoffFraction: GRADIENT_CUTOFF, columns: r },
): void {
  const { values, right } = smallSvd(coreOf(grams, r, work), r, sweeps, work.svd);
  const cutoff = values[0] * cutoffFraction;
  let live = 0;
  while (live < columns && values[live] > cutoff) live++;
  const rightFrame = lowerTimes(work.rootA, right, r, live, work.rightFrame);
  const leftVectors = lowerTransposeTimes(work.rootB, rightFrame, r, live, work.leftVectors);
  for (let row = 0; row < r; row++) for (let i = 0; i < live; i++) leftVectors[row * r + i] /= values[i];
  f32.set(values, at.sigma + pos * r);
  f32.set(lowerTimes(work.rootB, leftVectors, r, live, work.leftFrame), at.left + pos * r * r);
  f32.set(rightFrame, at.right + pos * r * r);
}

/** Outputs: sigma [N, r], left frame [N, r, r], right frame [N, r, r] (see writeSpectrum). */
export function lowRankSvdKernel(heap: KernelHeap, a: TensorInfo, b: TensorInfo): void {
  stackSpectrum(heap, [a], [b], null, GRADIENT_CUTOFF, null);
}

/**
 * Frames of a sum's spectrum are kept down to this fraction of sigma_1: below it the left vectors K q_i / sigma_i
 * lose their unit norm to float64 rounding (about 1e-16 sigma_1 / sigma_i), while such terms weigh nothing in a
 * float32 result anyway.
 */
const SUM_FRAME_CUTOFF = 1e-13;

/**
 * The spectrum of sum_t c_t B_t A_t per position, without forming it: the sum is [c_1 B_1, ..., c_T B_T] times
 * [A_1; ...; A_T], factors of rank R = sum_t r_t, so its R singular values and frames are those of
 * {@link writeSpectrum} on the stacked Grams (read where each factor is: the stack is never copied). The
 * coefficients scale the B side's Gram blocks, (i, j) by c_i c_j, in float64. Inputs a0, b0, a1, b1, ...; attrs
 * `coefficients` (one per term) and `frames` (how many leading frame columns the caller will use). Outputs: sigma [N, R], left frame F_B P and right frame F_A Q [N, R, R], their
 * rows in stack order (rows r_1 + ... + r_(t-1) onwards belong to term t), zero past `frames` and 1e-13 sigma_1; and the
 * scale |B_w|_F |A_s|_F [N] (from the Grams' traces), which bounds |M|_F and sets the float64 rounding level of
 * the singular values (a sum that cancels to zero comes out at about 1e-16 of it, not at zero).
 */
export function lowRankSumSvdKernel(heap: KernelHeap, inputs: TensorInfo[], attrs: NamedAttrMap): void {
  const a = inputs.filter((_, i) => i % 2 === 0);
  const b = inputs.filter((_, i) => i % 2 === 1);
  stackSpectrum(heap, a, b, attrs.coefficients as number[], SUM_FRAME_CUTOFF, attrs.frames as number);
}

/** c_t of every stacked rank row, for Gram entries (i, j) to be scaled by rows[i] rows[j]. */
function rowCoefficients(ranks: number[], coefficients: number[]): Float64Array {
  const rows = new Float64Array(ranks.reduce((s, r) => s + r, 0));
  let at = 0;
  ranks.forEach((r, t) => rows.fill(coefficients[t], at, (at += r)));
  return rows;
}

/** Scales a symmetric Gram's upper triangle (all its kernel computes) to D G D for D = diag(rows). */
function scaleGram({ data, offset, stride }: MatrixView, rows: Float64Array): void {
  for (let i = 0; i < rows.length; i++) {
    for (let j = i; j < rows.length; j++) data[offset + i * stride + j] *= rows[i] * rows[j];
  }
}

/** Sum of the diagonal of an r x r Gram view. */
function trace({ data, offset, stride }: MatrixView, r: number): number {
  let s = 0;
  for (let i = 0; i < r; i++) s += data[offset + i * stride + i];
  return s;
}

/**
 * {@link writeSpectrum} of every position of the stacked terms; for a sum (`frames` not null), frames to that many
 * columns and the scale output.
 */
function stackSpectrum(heap: KernelHeap, a: TensorInfo[], b: TensorInfo[], coefficients: number[] | null, cutoffFraction: number, frames: number | null): void {
  const n = positionsOf(a[0]);
  const ranks = a.map(rankOfA);
  const r = ranks.reduce((s, x) => s + x, 0);
  const as = a.map((t) => inputA(heap, t));
  const bs = b.map((t) => inputB(heap, t));
  const [gramsA, gramsB] = gramsOfBoth(heap, [as, as], [bs, bs], n);
  const at = spectrumOutputs(heap, n, r);
  const withScale = frames !== null;
  const scaleAt = withScale ? heap.output([n]) / 4 : -1;
  const frameOptions = { cutoffFraction, columns: Math.min(frames ?? r, r) };
  const { vectors } = jacobiFor(heap, r);
  const work = rankWorkspace(r);
  const rows = coefficients && coefficients.some((c) => c !== 1) ? rowCoefficients(ranks, coefficients) : null;
  const [f32, dataA, dataB] = [heap.f32(), gramsA.data(), gramsB.data()];
  for (let pos = 0; pos < n; pos++) {
    const grams = [gramView(dataA, gramsA, pos, 0, 0), gramView(dataB, gramsB, pos, 0, 0)];
    if (rows) scaleGram(grams[1], rows);
    if (withScale) f32[scaleAt + pos] = Math.sqrt(trace(grams[0], r) * trace(grams[1], r));
    writeSpectrum(f32, at, pos, r, grams, vectors, work, frameOptions);
  }
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
  const [crossA, crossB] = gramsOfBoth(heap, [[inputA(heap, a1)], [inputA(heap, a2)]], [[inputB(heap, b1)], [inputB(heap, b2)]], n);
  const at = innerOutputs(heap, n, ranks[0], ranks[1]);
  const [f32, dataA, dataB] = [heap.f32(), crossA.data(), crossB.data()];
  for (let pos = 0; pos < n; pos++) writeInner(f32, at, pos, ranks, gramView(dataA, crossA, pos, 0, 0), gramView(dataB, crossB, pos, 0, 0));
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
  const as = [inputA(heap, a), inputA(heap, ta)];
  const bs = [inputB(heap, b), inputB(heap, tb)];
  const [gramsA, gramsB] = gramsOfBoth(heap, [as, as], [bs, bs], n);
  const pred = spectrumOutputs(heap, n, r);
  const cross = innerOutputs(heap, n, r, rt);
  const targetSigma = targetSpectrum ? heap.output([n, rt]) / 4 : null;
  const sweeps = jacobiFor(heap, Math.max(r, rt));
  const [predWork, targetWork] = [rankWorkspace(r), rankWorkspace(rt)];
  const [f32, dataA, dataB] = [heap.f32(), gramsA.data(), gramsB.data()];
  // blocks of the stacked Grams: [0, r) is the prediction, [r, r + rt) the target
  const blocks = (pos: number, r0: number, c0: number) => [gramView(dataA, gramsA, pos, r0, c0), gramView(dataB, gramsB, pos, r0, c0)];
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
