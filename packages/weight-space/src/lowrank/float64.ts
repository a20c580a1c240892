// Plain-JS float64 facts about dW = s * B A from factors held in arrays, never forming the dOut x dIn matrix: for
// data normalisation, inspection and analysis on the host, where exact numbers matter more than autodiff. The
// tensor versions (lowRankInner, lowRankNorm, lowRankSingularValues) are differentiable and batched.
import { symmetricEigenvalues } from '../linalg/symmetric-eigenvalues';

/** One low-rank update in arrays: A [rank, dIn], B [dOut, rank] row-major, dW = scaling * B A (a lora-io module is one). */
export interface LowRankArrays {
  rank: number;
  dIn: number;
  dOut: number;
  A: ArrayLike<number>;
  B: ArrayLike<number>;
  /** @default 1 */
  scaling?: number;
}

/** B1^T B2 (r1 x r2) for B1 [m, r1], B2 [m, r2]. */
function crossColumnGram(B1: ArrayLike<number>, r1: number, B2: ArrayLike<number>, r2: number, m: number): Float64Array {
  const g = new Float64Array(r1 * r2);
  for (let k = 0; k < m; k++) for (let i = 0; i < r1; i++) for (let j = 0; j < r2; j++) g[i * r2 + j] += B1[k * r1 + i] * B2[k * r2 + j];
  return g;
}

/** A1 A2^T (r1 x r2) for A1 [r1, n], A2 [r2, n]. */
function crossRowGram(A1: ArrayLike<number>, r1: number, A2: ArrayLike<number>, r2: number, n: number): Float64Array {
  const g = new Float64Array(r1 * r2);
  for (let i = 0; i < r1; i++) {
    for (let j = 0; j < r2; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += A1[i * n + k] * A2[j * n + k];
      g[i * r2 + j] = s;
    }
  }
  return g;
}

/** <s1 B1 A1, s2 B2 A2>_F = s1 s2 sum((B1^T B2) * (A1 A2^T)). */
export function lowRankInnerFloat64(x: LowRankArrays, y: LowRankArrays): number {
  const gb = crossColumnGram(x.B, x.rank, y.B, y.rank, x.dOut);
  const ga = crossRowGram(x.A, x.rank, y.A, y.rank, x.dIn);
  let s = 0;
  for (let i = 0; i < gb.length; i++) s += gb[i] * ga[i];
  return (x.scaling ?? 1) * (y.scaling ?? 1) * s;
}

/** |s B A|_F. */
export function lowRankNormFloat64(x: LowRankArrays): number {
  return Math.sqrt(Math.max(0, lowRankInnerFloat64(x, x)));
}

/** Cosine similarity of two updates of the same shape (0 when either is zero). */
export function lowRankCosineFloat64(x: LowRankArrays, y: LowRankArrays): number {
  const d = lowRankNormFloat64(x) * lowRankNormFloat64(y);
  return d > 0 ? lowRankInnerFloat64(x, y) / d : 0;
}

/**
 * Singular values of s B A, descending (`rank` of them). With thin QR factorisations B = Q_B R_B and
 * A^T = Q_A R_A, B A = Q_B (R_B R_A^T) Q_A^T, so they are the singular values of the r x r matrix R_B R_A^T.
 * R_B and R_A come from Cholesky factors of the Grams B^T B = R_B^T R_B and A A^T = R_A^T R_A.
 */
export function lowRankSingularValuesFloat64(x: LowRankArrays): Float64Array {
  const r = x.rank;
  const rb = choleskyUpper(crossColumnGram(x.B, r, x.B, r, x.dOut), r);
  const ra = choleskyUpper(crossRowGram(x.A, r, x.A, r, x.dIn), r);
  // C = R_B R_A^T (r x r); sigma(C)^2 = eig(C C^T).
  const c = crossRowGram(rb, r, ra, r, r);
  const cct = crossRowGram(c, r, c, r, r);
  const scale = Math.abs(x.scaling ?? 1);
  return symmetricEigenvalues(cct, r).map((e) => scale * Math.sqrt(Math.max(0, e)));
}

/**
 * Upper-triangular R with G = R^T R (G symmetric positive semi-definite). A zero pivot (rank-deficient factor)
 * gives a zero row, which keeps R^T R = G exact for PSD G.
 */
function choleskyUpper(gram: Float64Array, r: number): Float64Array {
  const R = new Float64Array(r * r);
  let maxDiag = 0;
  for (let i = 0; i < r; i++) maxDiag = Math.max(maxDiag, gram[i * r + i]);
  for (let i = 0; i < r; i++) {
    let d = gram[i * r + i];
    for (let k = 0; k < i; k++) d -= R[k * r + i] ** 2;
    const piv = d > 1e-13 * maxDiag ? Math.sqrt(d) : 0; // rounding-level pivots are rank deficiency
    R[i * r + i] = piv;
    for (let j = i + 1; j < r; j++) {
      let s = gram[i * r + j];
      for (let k = 0; k < i; k++) s -= R[k * r + i] * R[k * r + j];
      R[i * r + j] = piv > 0 ? s / piv : 0;
    }
  }
  return R;
}
