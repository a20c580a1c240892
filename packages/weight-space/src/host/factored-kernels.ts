import type { TensorInfo } from '@tensorflow/tfjs-core';
import { GRADIENT_CUTOFF } from '../lowrank/gradient-cutoff';
import { RIGHT_MUL_WIDTHS } from '../simd/kernel-abi';
import { gramsOnWorker } from './gram-worker';
import type { KernelHeap } from './heap';
import { VALUES_ORTHOGONALITY, heapJacobi, heapJacobiBytes } from './heap-jacobi';
import {
  type ColumnSweeps,
  type MatrixView,
  type SmallSvd,
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

export const inputA = (heap: KernelHeap, a: TensorInfo) => factorA(heap.input(a), a);
export const inputB = (heap: KernelHeap, b: TensorInfo) => factorB(heap.input(b), b);

/**
 * The stacked Grams of the A side ([xsA, ysA]) and of the B side: the B side's on the worker thread while this one
 * does the A side's, or both here (no worker, too little work, or a worker that failed).
 */
export function gramsOfBoth(heap: KernelHeap, [xsA, ysA]: Factor[][], [xsB, ysB]: Factor[][], positions: number): [GramLayout, GramLayout] {
  const pending = gramsOnWorker(heap, xsB, ysB, positions);
  const gramsA = stackedGrams(heap, xsA, ysA, positions);
  return [gramsA, pending?.wait() ?? stackedGrams(heap, xsB, ysB, positions)];
}

/** Where one factor pair's spectrum goes: sigma [N, r], left and right frames [N, r, r] (float indices). */
export interface SpectrumOutputs {
  sigma: number;
  left: number;
  right: number;
}

/**
 * Jacobi sweeps for ranks up to `maxRank` on scratch of this heap (allocate before taking views of the heap): to
 * full orthogonality for vectors, looser for singular values alone (both share the scratch; calls are sequential).
 */
export function jacobiFor(heap: KernelHeap, maxRank: number): { vectors: ColumnSweeps; values: ColumnSweeps } {
  const scratch = heap.scratch(heapJacobiBytes(maxRank));
  return {
    vectors: heapJacobi(heap.kernels, heap.f64, scratch, maxRank),
    values: heapJacobi(heap.kernels, heap.f64, scratch, maxRank, VALUES_ORTHOGONALITY),
  };
}

/** Buffers of one rank's per-position algebra, allocated once per kernel call and overwritten at every position. */
export interface RankWorkspace {
  rootA: Float64Array;
  rootB: Float64Array;
  core: Float64Array;
  svd: SvdWorkspace;
  rightFrame: Float64Array;
  leftVectors: Float64Array;
  leftFrame: Float64Array;
}

export const rankWorkspace = (r: number): RankWorkspace => ({
  rootA: new Float64Array(r * r),
  rootB: new Float64Array(r * r),
  core: new Float64Array(r * r),
  svd: svdWorkspace(r),
  rightFrame: new Float64Array(r * r),
  leftVectors: new Float64Array(r * r),
  leftFrame: new Float64Array(r * r),
});

/** The core K = F_B^T F_A of a position from its two Gram views, column-major: K^T = F_A^T F_B (the roots stay in `work`). */
export const coreOf = ([gramA, gramB]: MatrixView[], r: number, work: RankWorkspace) =>
  lowerTransposeTimes(choleskyLower(gramA, r, work.rootA), choleskyLower(gramB, r, work.rootB), r, r, work.core);

export const spectrumOutputs = (heap: KernelHeap, n: number, r: number): SpectrumOutputs => ({
  sigma: heap.output([n, r]) / 4,
  left: heap.output([n, r, r]) / 4,
  right: heap.output([n, r, r]) / 4,
});

/** Which frame columns {@link writeSpectrum} computes: the leading `columns`, down to `cutoffFraction` sigma_1. */
export interface FrameOptions {
  cutoffFraction: number;
  columns: number;
}

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
  const svd = smallSvd(coreOf(grams, r, work), r, sweeps, work.svd);
  writeFrames(f32, at, pos, r, svd, work, { cutoffFraction: GRADIENT_CUTOFF, columns: r });
}

/**
 * The outputs of {@link writeSpectrum} from the core's SVD and the roots in `work`: sigma, and the frames' columns
 * (the leading `columns`, down to `cutoffFraction` sigma_1; the rest zero).
 */
export function writeFrames(
  f32: Float32Array,
  at: SpectrumOutputs,
  pos: number,
  r: number,
  { values, right }: SmallSvd,
  work: RankWorkspace,
  { cutoffFraction, columns }: FrameOptions,
): void {
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
  const n = positionsOf(a);
  const r = rankOfA(a);
  const as = [inputA(heap, a)];
  const bs = [inputB(heap, b)];
  const [gramsA, gramsB] = gramsOfBoth(heap, [as, as], [bs, bs], n);
  const at = spectrumOutputs(heap, n, r);
  const { vectors } = jacobiFor(heap, r);
  const work = rankWorkspace(r);
  const [f32, dataA, dataB] = [heap.f32(), gramsA.data(), gramsB.data()];
  for (let pos = 0; pos < n; pos++)
    writeSpectrum(f32, at, pos, r, [gramView(dataA, gramsA, pos, 0, 0), gramView(dataB, gramsB, pos, 0, 0)], vectors, work);
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
export function factoredPairKernel(heap: KernelHeap, [a, b, ta, tb]: TensorInfo[], targetSpectrum: boolean): void {
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
