/**
 * Float64 linear algebra on one position's r x r matrices (row-major Float64Arrays), run in JS after the SIMD
 * kernels have reduced the factors to Grams: r is at most a few dozen, so this is microseconds per position.
 */

/** Pivots at or below this fraction of the Gram's largest diagonal are rounding noise of a rank-deficient factor. */
const PIVOT_FLOOR = 1e-12;

/**
 * Lower-triangular F with F F^T = G for a symmetric positive semi-definite G. A pivot at or below the floor gives a
 * zero column (the factor's rank is lower), so zero and rank-deficient Grams give finite factors.
 */
export function choleskyLower(g: Float64Array, r: number): Float64Array {
  const f = new Float64Array(r * r);
  let largest = 0;
  for (let i = 0; i < r; i++) largest = Math.max(largest, g[i * r + i]);
  const floor = largest * PIVOT_FLOOR;
  for (let j = 0; j < r; j++) {
    let pivot = g[j * r + j];
    for (let k = 0; k < j; k++) pivot -= f[j * r + k] * f[j * r + k];
    if (!(pivot > floor)) continue;
    const root = Math.sqrt(pivot);
    f[j * r + j] = root;
    for (let i = j + 1; i < r; i++) {
      let s = g[i * r + j];
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
 * Columns whose mutual cosine is below this count as orthogonal. Singular values are then exact to float64 (their
 * error is second order in the cosines); the right vectors are off by about this much and the recovered left ones
 * by this times sigma_1 / sigma_i, which stays below 1e-7 down to the gradient cutoff (1e-5 sigma_1).
 */
const ORTHOGONALITY = 1e-12;
const MAX_SWEEPS = 60;

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
 * R^T swept until every column pair is orthogonal to float64 precision. The pivoted QR is a preconditioner: R^T's
 * columns are already close to orthogonal, so Jacobi needs about half the sweeps it needs on K. Rotations act on
 * the matrix itself (not on K^T K), so small singular values keep their relative accuracy. With R^T = U S V^T,
 * K = (Q V) S (Pi U)^T: the right vectors are Pi u_i, and the left ones are recovered as K q_i / sigma_i.
 */
export function smallSvd(k: Float64Array, r: number): SmallSvd {
  const { rows, perm } = pivotedTriangle(k, r);
  // Column j of R^T is row j of R: `rows` is R^T column-major, as the Jacobi sweep wants it.
  const norms = jacobiColumns(rows, r);
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

/**
 * Hestenes sweeps over the columns of a column-major r x r matrix (in place) until all pairs are orthogonal;
 * returns the final squared column norms.
 */
function jacobiColumns(a: Float64Array, r: number): Float64Array {
  const norms = new Float64Array(r);
  for (let j = 0; j < r; j++) {
    let s = 0;
    for (let i = 0; i < r; i++) s += a[j * r + i] * a[j * r + i];
    norms[j] = s;
  }
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let rotated = false;
    for (let p = 0; p < r - 1; p++) {
      for (let q = p + 1; q < r; q++) {
        let gamma = 0;
        for (let i = 0; i < r; i++) gamma += a[p * r + i] * a[q * r + i];
        if (gamma === 0 || Math.abs(gamma) <= ORTHOGONALITY * Math.sqrt(norms[p] * norms[q])) continue;
        rotated = true;
        const zeta = (norms[q] - norms[p]) / (2 * gamma);
        // The smaller root of t^2 + 2 zeta t - 1 = 0 (|t| <= 1); 1 / (2 zeta) once zeta^2 would overflow.
        // (Math.hypot would guard that too, but is several times slower than sqrt in V8.)
        const magnitude = Math.abs(zeta);
        const t = (zeta >= 0 ? 1 : -1) / (magnitude > 1e150 ? 2 * magnitude : magnitude + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        let np = 0;
        let nq = 0;
        for (let i = 0; i < r; i++) {
          const ap = a[p * r + i];
          const aq = a[q * r + i];
          const rp = c * ap - s * aq;
          const rq = s * ap + c * aq;
          a[p * r + i] = rp;
          a[q * r + i] = rq;
          np += rp * rp;
          nq += rq * rq;
        }
        norms[p] = np;
        norms[q] = nq;
      }
    }
    if (!rotated) break;
  }
  return norms;
}
