import type { NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { type RankWorkspace, coreOf, gramsOfBoth, inputA, inputB, jacobiFor, rankWorkspace, spectrumOutputs, writeFrames } from './factored-kernels';
import { type SweepJob, sweepsOnWorker } from './gram-worker';
import type { KernelHeap } from './heap';
import { type MatrixView, pivotedTriangle, svdOfSweptTriangle } from './small-linalg';
import { gramView, positionsOf, rankOfA } from './stacked-grams';

/**
 * Frames of a sum's spectrum are kept down to this fraction of sigma_1: below it the left vectors K q_i / sigma_i
 * lose their unit norm to float64 rounding (about 1e-16 sigma_1 / sigma_i), while such terms weigh nothing in a
 * float32 result anyway.
 */
const SUM_FRAME_CUTOFF = 1e-13;

/**
 * The spectrum of sum_t c_t B_t A_t per position, without forming it: the sum is [c_1 B_1, ..., c_T B_T] times
 * [A_1; ...; A_T], factors of rank R = sum_t r_t, so its R singular values and frames are those of the losses'
 * factored SVD (writeSpectrum) on the stacked Grams, read where each factor is (the stack is never copied). The
 * coefficients scale the B side's Gram blocks, (i, j) by c_i c_j, in float64. Inputs a0, b0, a1, b1, ...; attrs
 * `coefficients` (one per term) and `frames` (how many leading frame columns the caller will use). Outputs: sigma
 * [N, R], left frame F_B P and right frame F_A Q [N, R, R], their rows in stack order (rows r_1 + ... + r_(t-1)
 * onwards belong to term t), zero past `frames` and 1e-13 sigma_1; and the scale |B_w|_F |A_s|_F [N] (from the
 * Grams' traces), which bounds |M|_F and sets the float64 rounding level of the singular values (a sum that cancels
 * to zero comes out at about 1e-16 of it, not at zero).
 *
 * At R = sum r_t the R x R SVDs are most of the work (three rank-16 adapters: 48 x 48 per module), so their Jacobi
 * sweeps are shared with the Gram worker thread where there is one: it sweeps the first half of the positions
 * while this thread prepares the second half's and sweeps them (same kernel and arguments: the same values).
 */
export function lowRankSumSvdKernel(heap: KernelHeap, inputs: TensorInfo[], attrs: NamedAttrMap): void {
  const a = inputs.filter((_, i) => i % 2 === 0);
  const b = inputs.filter((_, i) => i % 2 === 1);
  const n = positionsOf(a[0]);
  const ranks = a.map(rankOfA);
  const r = ranks.reduce((s, x) => s + x, 0);
  const [as, bs] = [a.map((t) => inputA(heap, t)), b.map((t) => inputB(heap, t))];
  const [gramsA, gramsB] = gramsOfBoth(heap, [as, as], [bs, bs], n);
  const at = spectrumOutputs(heap, n, r);
  const scaleAt = heap.output([n]) / 4;
  const { vectors } = jacobiFor(heap, r);
  const coefficients = attrs.coefficients as number[];
  const rows = coefficients.some((c) => c !== 1) ? rowCoefficients(ranks, coefficients) : null;
  const work = rankWorkspace(r);
  const [f32, dataA, dataB] = [heap.f32(), gramsA.data(), gramsB.data()];
  const stored = storedPositions(n, r);
  const prepare = (pos: number) => {
    const grams = [gramView(dataA, gramsA, pos, 0, 0), gramView(dataB, gramsB, pos, 0, 0)];
    if (rows) scaleGram(grams[1], rows);
    f32[scaleAt + pos] = Math.sqrt(trace(grams[0], r) * trace(grams[1], r));
    pivotedTriangle(coreOf(grams, r, work), r, work.svd);
    keep(stored[pos], work);
  };
  const half = n >> 1;
  for (let pos = 0; pos < half; pos++) prepare(pos);
  const pending = sweepsOnWorker(stored.slice(0, half), r);
  for (let pos = half; pos < n; pos++) prepare(pos);
  for (let pos = half; pos < n; pos++) vectors(stored[pos].matrix, r, stored[pos].norms);
  if (!pending?.wait()) for (let pos = 0; pos < half; pos++) vectors(stored[pos].matrix, r, stored[pos].norms);
  const frames = { cutoffFraction: SUM_FRAME_CUTOFF, columns: Math.min((attrs.frames as number) ?? r, r) };
  for (let pos = 0; pos < n; pos++) {
    restore(stored[pos], work);
    writeFrames(f32, at, pos, r, svdOfSweptTriangle(r, work.svd), work, frames);
  }
}

/** What a position's SVD needs between preparing it and writing its frames: roots and the (swept) triangle. */
interface StoredPosition extends SweepJob {
  rootA: Float64Array;
  rootB: Float64Array;
  perm: Int32Array;
}

/** Every position's store, as views of two allocations (one per call: thousands of small typed arrays cost more). */
function storedPositions(n: number, r: number): StoredPosition[] {
  const doubles = new Float64Array(n * (3 * r * r + r));
  const ints = new Int32Array(n * r);
  const size = 3 * r * r + r;
  return Array.from({ length: n }, (_, pos) => {
    const at = (offset: number, length: number) => doubles.subarray(pos * size + offset, pos * size + offset + length);
    return {
      matrix: at(0, r * r),
      rootA: at(r * r, r * r),
      rootB: at(2 * r * r, r * r),
      norms: at(3 * r * r, r),
      perm: ints.subarray(pos * r, (pos + 1) * r),
    };
  });
}

function keep(to: StoredPosition, work: RankWorkspace): void {
  to.matrix.set(work.svd.columns);
  to.perm.set(work.svd.perm);
  to.rootA.set(work.rootA);
  to.rootB.set(work.rootB);
}

function restore(from: StoredPosition, work: RankWorkspace): void {
  work.svd.columns.set(from.matrix);
  work.svd.norms.set(from.norms);
  work.svd.perm.set(from.perm);
  work.rootA.set(from.rootA);
  work.rootB.set(from.rootB);
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
