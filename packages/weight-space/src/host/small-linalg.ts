/**
 * Float64 linear algebra on one position's r x r matrices (row-major Float64Arrays), run in JS after the SIMD
 * kernels have reduced the factors to Grams: r is at most a few dozen, so this is microseconds per position.
 */

/** Pivots at or below this fraction of the Gram's largest diagonal are rounding noise of a rank-deficient factor. */
const PIVOT_FLOOR = 1e-12;

/** A matrix inside a larger float64 array: element (i, j) at data[offset + i stride + j]. */
export interface MatrixView {
  data: Float64Array;
  offset: number;
  stride: number;
}

/**
 * Lower-triangular F with F F^T = G for a symmetric positive semi-definite G, of which only the upper triangle is
 * read (the SIMD Gram kernel computes no more). A pivot at or below the floor gives a zero column (the factor's rank
 * is lower), so zero and rank-deficient Grams give finite factors.
 */
export function choleskyLower({ data, offset, stride }: MatrixView, r: number): Float64Array {
  const g = (i: number, j: number) => data[offset + i * stride + j];
  const f = new Float64Array(r * r);
  let largest = 0;
  for (let i = 0; i < r; i++) largest = Math.max(largest, g(i, i));
  const floor = largest * PIVOT_FLOOR;
  for (let j = 0; j < r; j++) {
    let pivot = g(j, j);
    for (let k = 0; k < j; k++) pivot -= f[j * r + k] * f[j * r + k];
    if (!(pivot > floor)) continue;
    const root = Math.sqrt(pivot);
    f[j * r + j] = root;
    for (let i = j + 1; i < r; i++) {
      let s = g(j, i);
      for (let k = 0; k < j; k++) s -= f[i * r + k] * f[j * r + k];
      f[i * r + j] = s / root;
    }
  }
  return f;
}

/** C = X^T Y for r x r row-major X, Y. */
export function transposeTimes(x: Float64Array, y: Float64Array, r: number): Float64Array {
  const c = new Float64Array(r * r);
  for (let k = 0; k < r; k++) {
    for (let i = 0; i < r; i++) {
      const xki = x[k * r + i];
      if (xki === 0) continue;
      for (let j = 0; j < r; j++) c[i * r + j] += xki * y[k * r + j];
    }
  }
  return c;
}

/**
 * Makes the columns of a column-major r x r matrix mutually orthogonal by Jacobi rotations, in place, and returns
 * their squared norms (the SIMD kernel `jacobi_sweeps` behind {@link heapJacobi}).
 */
export type ColumnSweeps = (columns: Float64Array, r: number) => Float64Array;

/** K = P diag(values) Q^T, values descending; the vectors stored one after another (vector i at [i r, i r + r)). */
export interface SmallSvd {
  values: Float64Array;
  /** The left singular vectors p_i = K q_i / values[i] (zero where values[i] is 0). */
  left: Float64Array;
  /** The right singular vectors q_i (zero where values[i] is 0). */
  right: Float64Array;
}

/**
 * SVD of a square K: a Householder QR with column pivoting, K Pi = Q R, then a one-sided (Hestenes) Jacobi SVD of
 * R^T by `sweeps`, until every column pair is orthogonal to float64 precision. The pivoted QR is a preconditioner: R^T's
 * columns are already close to orthogonal, so Jacobi needs about half the sweeps it needs on K. Rotations act on
 * the matrix itself (not on K^T K), so small singular values keep their relative accuracy. With R^T = U S V^T,
 * K = (Q V) S (Pi U)^T: the right vectors are Pi u_i, and the left ones are recovered as K q_i / sigma_i.
 */
export function smallSvd(k: Float64Array, r: number, sweeps: ColumnSweeps): SmallSvd {
  const { rows, perm } = pivotedTriangle(k, r);
  // Column j of R^T is row j of R: `rows` is R^T column-major, as the Jacobi sweep wants it.
  const norms = sweeps(rows, r);
  const order = Array.from(norms, (_, j) => j).sort((x, y) => norms[y] - norms[x]);
  const values = new Float64Array(r);
  const left = new Float64Array(r * r);
  const right = new Float64Array(r * r);
  order.forEach((j, rank) => {
    const sigma = Math.sqrt(norms[j]);
    values[rank] = sigma;
    if (!(sigma > 0)) return;
    const q = rank * r;
    for (let m = 0; m < r; m++) right[q + perm[m]] = rows[j * r + m] / sigma;
    for (let row = 0; row < r; row++) {
      let dot = 0;
      for (let col = 0; col < r; col++) dot += k[row * r + col] * right[q + col];
      left[q + row] = dot / sigma;
    }
  });
  return { values, left, right };
}

/** The singular values of a square K, descending: {@link smallSvd}'s sweeps without its vectors. */
export function smallSingularValues(k: Float64Array, r: number, sweeps: ColumnSweeps): Float64Array {
  return Float64Array.from(sweeps(pivotedTriangle(k, r).rows, r), Math.sqrt).sort().reverse();
}

/** R of a Householder QR with column pivoting K Pi = Q R (row-major, Q not formed), and Pi as an index map. */
function pivotedTriangle(k: Float64Array, r: number): { rows: Float64Array; perm: Int32Array } {
  const m = Float64Array.from(k);
  const perm = Int32Array.from({ length: r }, (_, i) => i);
  const v = new Float64Array(r);
  for (let j = 0; j < r; j++) {
    // Pivot: the remaining column with the largest norm below row j.
    let best = j;
    let bestNorm = -1;
    for (let c = j; c < r; c++) {
      let s = 0;
      for (let i = j; i < r; i++) s += m[i * r + c] * m[i * r + c];
      if (s > bestNorm) [best, bestNorm] = [c, s];
    }
    if (best !== j) {
      for (let i = 0; i < r; i++) [m[i * r + j], m[i * r + best]] = [m[i * r + best], m[i * r + j]];
      [perm[j], perm[best]] = [perm[best], perm[j]];
    }
    const norm = Math.sqrt(bestNorm);
    if (norm === 0) break;
    // Reflector I - 2 v v^T / (v^T v) sending column j's tail to alpha e_j (alpha's sign avoids cancellation).
    const alpha = m[j * r + j] > 0 ? -norm : norm;
    let vv = 0;
    for (let i = j; i < r; i++) {
      v[i] = m[i * r + j] - (i === j ? alpha : 0);
      vv += v[i] * v[i];
    }
    for (let c = j + 1; c < r; c++) {
      let dot = 0;
      for (let i = j; i < r; i++) dot += v[i] * m[i * r + c];
      const f = (2 * dot) / vv;
      for (let i = j; i < r; i++) m[i * r + c] -= f * v[i];
    }
    m[j * r + j] = alpha;
    for (let i = j + 1; i < r; i++) m[i * r + j] = 0;
  }
  return { rows: m, perm };
}
