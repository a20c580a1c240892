/**
 * Float64 linear algebra on one position's r x r matrices (row-major Float64Arrays where not said otherwise), run in
 * JS after the SIMD kernels have reduced the factors to Grams: r is at most a few dozen, so this is microseconds per
 * position. The functions write into caller-owned buffers (allocated once per rank, not per position: typed-array
 * allocation costs as much as the arithmetic at this size); the defaults allocate, for one-off calls.
 */

/** Pivots at or below this fraction of the Gram's largest diagonal are rounding noise of a rank-deficient factor. */
const PIVOT_FLOOR = 1e-12;
/**
 * A downdated column norm that fell below this fraction of the norm it was last computed from has lost about half
 * its digits to cancellation, so it is recomputed (LAPACK xLAQP2's tol3z = sqrt(eps), on squared norms here).
 */
const DOWNDATE_SAFEGUARD = Math.sqrt(Number.EPSILON);
/**
 * A squared tail norm below the smallest normal double counts as zero in the QR (as in Eigen's makeHouseholder): its
 * squares have lost their bits to underflow, and 1 / (tail - alpha x) would overflow to Infinity and fill R with NaN.
 */
const SMALLEST_NORMAL = 2 ** -1022;

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
export function choleskyLower({ data, offset, stride }: MatrixView, r: number, f: Float64Array = new Float64Array(r * r)): Float64Array {
  f.fill(0);
  let largest = 0;
  for (let i = 0; i < r; i++) largest = Math.max(largest, data[offset + i * stride + i]);
  const floor = largest * PIVOT_FLOOR;
  for (let j = 0; j < r; j++) {
    const rowJ = j * r;
    const gramRow = offset + j * stride;
    let pivot = data[gramRow + j];
    for (let k = 0; k < j; k++) pivot -= f[rowJ + k] * f[rowJ + k];
    if (!(pivot > floor)) continue;
    const root = Math.sqrt(pivot);
    f[rowJ + j] = root;
    for (let i = j + 1; i < r; i++) {
      const rowI = i * r;
      let s = data[gramRow + i];
      for (let k = 0; k < j; k++) s -= f[rowI + k] * f[rowJ + k];
      f[rowI + j] = s / root;
    }
  }
  return f;
}

/** C = X^T Y for lower-triangular X, over Y's first `cols` columns (C's other columns zero); r x r row-major. */
export function lowerTransposeTimes(
  x: Float64Array,
  y: Float64Array,
  r: number,
  cols: number,
  c: Float64Array = new Float64Array(r * r),
): Float64Array {
  // row i of C: X's column i (x[k r + i], nonzero from k = i) times Y's rows
  for (let i = 0; i < r; i++) rowTimes(x, i, r, i, r, y, r, cols, c, i * r);
  return c;
}

/** C = X Y for lower-triangular X, over Y's first `cols` columns (C's other columns zero); r x r row-major. */
export function lowerTimes(x: Float64Array, y: Float64Array, r: number, cols: number, c: Float64Array = new Float64Array(r * r)): Float64Array {
  // row i of C: X's row i (x[i r + k], nonzero up to k = i) times Y's rows
  for (let i = 0; i < r; i++) rowTimes(x, i * r, 1, 0, i + 1, y, r, cols, c, i * r);
  return c;
}

/**
 * One row of a product into c[at, at + r): c_j = sum over k in [from, to) of x[xAt + k xStep] y[k r + j] for
 * j < cols, zero from cols on. Four columns share each pass over x (their sums in registers, a quarter of the
 * loads of one dot product at a time): several times faster in JS than a row update per x element.
 */
function rowTimes(
  x: Float64Array,
  xAt: number,
  xStep: number,
  from: number,
  to: number,
  y: Float64Array,
  r: number,
  cols: number,
  c: Float64Array,
  at: number,
): void {
  let j = 0;
  for (; j + 4 <= cols; j += 4) {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let k = from; k < to; k++) {
      const xk = x[xAt + k * xStep];
      const yk = k * r + j;
      s0 += xk * y[yk];
      s1 += xk * y[yk + 1];
      s2 += xk * y[yk + 2];
      s3 += xk * y[yk + 3];
    }
    c[at + j] = s0;
    c[at + j + 1] = s1;
    c[at + j + 2] = s2;
    c[at + j + 3] = s3;
  }
  for (; j < cols; j++) {
    let s = 0;
    for (let k = from; k < to; k++) s += x[xAt + k * xStep] * y[k * r + j];
    c[at + j] = s;
  }
  for (; j < r; j++) c[at + j] = 0;
}

/**
 * Makes the columns of a row-major r x r matrix mutually orthogonal by Jacobi rotations, in place, and writes their
 * squared norms into `norms` (the SIMD kernel `jacobi_sweeps` behind {@link heapJacobi}).
 */
export type ColumnSweeps = (matrix: Float64Array, r: number, norms: Float64Array) => void;

/**
 * K = P diag(values) Q^T, values descending. The left vectors are p_i = K q_i / values[i], left to the caller, who
 * may hold K as factors that make the product cheaper.
 */
export interface SmallSvd {
  values: Float64Array;
  /** Q, row-major: the right singular vector q_i in column i (zero where values[i] is 0). */
  right: Float64Array;
}

/** Buffers of {@link smallSvd} for one rank; its result is views of them, overwritten by the next call. */
export interface SvdWorkspace extends SmallSvd {
  /** K column-major, factored in place into R column-major (R^T row-major), which the sweeps then rotate. */
  columns: Float64Array;
  /** The pivoted QR's column order: column j of K Pi is column perm[j] of K. */
  perm: Int32Array;
  /** Squared column norms: the sweeps' output; during the QR, the downdated norms of the columns' tails. */
  norms: Float64Array;
  /** During the QR, each column's squared tail norm when it was last computed rather than downdated. */
  computed: Float64Array;
  /** The Householder vector. */
  reflector: Float64Array;
  /** Column indices of the sweeps' output by descending norm. */
  order: Int32Array;
}

/** Allocate once per rank and pass to every {@link smallSvd} / {@link smallSingularValues} call of that rank. */
export function svdWorkspace(r: number): SvdWorkspace {
  const square = () => new Float64Array(r * r);
  const vector = () => new Float64Array(r);
  return {
    values: vector(),
    right: square(),
    columns: square(),
    perm: new Int32Array(r),
    norms: vector(),
    computed: vector(),
    reflector: vector(),
    order: new Int32Array(r),
  };
}

/**
 * SVD of a square K, given column-major (K^T row-major: the pivoted QR walks down columns): a Householder QR with
 * column pivoting, K Pi = Q R, then a one-sided (Hestenes) Jacobi SVD of R^T by `sweeps`, until every column pair is
 * orthogonal to float64 precision. The pivoted QR is a preconditioner: R^T's columns are already closer to
 * orthogonal, so Jacobi needs fewer sweeps than on K. Rotations act on the matrix itself (not on K^T K), so small
 * singular values keep their relative accuracy. With R^T = U S V^T, K = (Q V) S (Pi U)^T: the right vectors are
 * Pi u_i (the left ones, Q v_i, are K q_i / sigma_i).
 */
export function smallSvd(k: Float64Array, r: number, sweeps: ColumnSweeps, work = svdWorkspace(r)): SmallSvd {
  pivotedTriangle(k, r, work);
  // R column-major is R^T row-major, as the sweeps take it
  sweeps(work.columns, r, work.norms);
  return svdOfSweptTriangle(r, work);
}

/**
 * The end of {@link smallSvd}, once {@link pivotedTriangle} and the sweeps have run on `work` (possibly elsewhere:
 * work.columns, perm and norms are all it reads): singular values in descending order and the right vectors.
 */
export function svdOfSweptTriangle(r: number, work: SvdWorkspace): SmallSvd {
  const { values, right, columns, perm, norms, order } = work;
  descendingOrder(norms, r, order);
  right.fill(0);
  for (let rank = 0; rank < r; rank++) {
    const j = order[rank];
    const sigma = Math.sqrt(norms[j]);
    values[rank] = sigma;
    if (!(sigma > 0)) continue;
    for (let m = 0; m < r; m++) right[perm[m] * r + rank] = columns[m * r + j] / sigma;
  }
  return { values, right };
}

/** The singular values of a square K (column-major), descending: {@link smallSvd}'s sweeps without its vectors. */
export function smallSingularValues(k: Float64Array, r: number, sweeps: ColumnSweeps, work = svdWorkspace(r)): Float64Array {
  const { values, columns, norms } = work;
  pivotedTriangle(k, r, work);
  sweeps(columns, r, norms);
  for (let j = 0; j < r; j++) values[j] = Math.sqrt(norms[j]);
  return values.sort().reverse();
}

/** `order` = the indices 0 .. r-1 sorted by descending `keys`, ties in index order (an insertion sort: r is small). */
function descendingOrder(keys: Float64Array, r: number, order: Int32Array): void {
  for (let i = 0; i < r; i++) {
    let at = i;
    while (at > 0 && keys[order[at - 1]] < keys[i]) {
      order[at] = order[at - 1];
      at--;
    }
    order[at] = i;
  }
}

/**
 * R of a Householder QR with column pivoting K Pi = Q R, for K column-major: R column-major into work.columns (Q
 * not formed), and Pi into work.perm. The columns' tail norms that choose the pivots are downdated after each step,
 * O(r) rather than the O(r^2) of recomputing them, and recomputed when cancellation has eaten half their digits
 * (LAPACK xGEQP3).
 */
export function pivotedTriangle(k: Float64Array, r: number, work: SvdWorkspace): void {
  const { columns: m, perm, norms, computed } = work;
  m.set(k);
  for (let c = 0; c < r; c++) {
    perm[c] = c;
    norms[c] = tailNorm(m, r, c, 0);
    computed[c] = norms[c];
  }
  for (let j = 0; j < r; j++) {
    let best = j;
    for (let c = j + 1; c < r; c++) if (norms[c] > norms[best]) best = c;
    if (best !== j) swapColumns(work, r, j, best);
    eliminate(work, r, j);
  }
}

function swapColumns({ columns: m, perm, norms, computed }: SvdWorkspace, r: number, a: number, b: number): void {
  for (let i = 0; i < r; i++) {
    const t = m[a * r + i];
    m[a * r + i] = m[b * r + i];
    m[b * r + i] = t;
  }
  const p = perm[a];
  perm[a] = perm[b];
  perm[b] = p;
  const n = norms[a];
  norms[a] = norms[b];
  norms[b] = n;
  const s = computed[a];
  computed[a] = computed[b];
  computed[b] = s;
}

/** Squared norm of column c of column-major m from row `from` down. */
function tailNorm(m: Float64Array, r: number, c: number, from: number): number {
  let s = 0;
  for (let i = c * r + from; i < c * r + r; i++) s += m[i] * m[i];
  return s;
}

/**
 * Step j of the QR: the reflector I - v v^T / (v^T v) that sends column j's tail to alpha e_j (alpha's sign avoids
 * cancellation, and then v^T v = 2 (tail - alpha x_j) exactly; a zero tail needs none, scale 0), applied to the
 * columns right of it two at a time, whose tail norms are then downdated.
 *
 * A tail below {@link SMALLEST_NORMAL} is zero. Past K's rank the steps reflect rounding residue, which loses about
 * 15 digits more each time a rank's worth of columns has been stepped over: a core of rank 4 in R = 48 whose live rows
 * come last (a sum whose earlier terms weigh 0 or fall below the Cholesky floor) reaches the underflow range at step 40.
 */
function eliminate(work: SvdWorkspace, r: number, j: number): void {
  const { columns: m, reflector: v } = work;
  const tail = tailNorm(m, r, j, j);
  const live = tail >= SMALLEST_NORMAL;
  const x = m[j * r + j];
  const alpha = !live ? 0 : x > 0 ? -Math.sqrt(tail) : Math.sqrt(tail);
  const scale = live ? 1 / (tail - alpha * x) : 0;
  v[j] = x - alpha;
  for (let i = j + 1; i < r; i++) v[i] = m[j * r + i];
  let c = j + 1;
  for (; c + 2 <= r; c += 2) reflectColumnPair(m, r, j, v, scale, c);
  if (c < r) reflectColumn(m, r, j, v, scale, c);
  for (c = j + 1; c < r; c++) downdateNorm(work, r, j, c);
  m[j * r + j] = alpha;
  for (let i = j + 1; i < r; i++) m[j * r + i] = 0;
}

/** Column c of column-major m, from row j down, times I - scale v v^T. */
function reflectColumn(m: Float64Array, r: number, j: number, v: Float64Array, scale: number, c: number): void {
  const at = c * r;
  let dot = 0;
  for (let i = j; i < r; i++) dot += v[i] * m[at + i];
  const f = scale * dot;
  for (let i = j; i < r; i++) m[at + i] -= f * v[i];
}

/** {@link reflectColumn} on columns c and c + 1 at once: each load of v serves both (a third faster in JS). */
function reflectColumnPair(m: Float64Array, r: number, j: number, v: Float64Array, scale: number, c: number): void {
  const a = c * r;
  const b = a + r;
  let dotA = 0;
  let dotB = 0;
  for (let i = j; i < r; i++) {
    dotA += v[i] * m[a + i];
    dotB += v[i] * m[b + i];
  }
  const fa = scale * dotA;
  const fb = scale * dotB;
  for (let i = j; i < r; i++) {
    const vi = v[i];
    m[a + i] -= fa * vi;
    m[b + i] -= fb * vi;
  }
}

/** Row j of R is final in column c: its tail from row j + 1 has R_jc^2 less squared norm. */
function downdateNorm({ columns: m, norms, computed }: SvdWorkspace, r: number, j: number, c: number): void {
  if (norms[c] === 0) return;
  const rjc = m[c * r + j];
  const kept = Math.max(0, 1 - (rjc * rjc) / norms[c]) * norms[c];
  if (kept <= DOWNDATE_SAFEGUARD * computed[c]) {
    norms[c] = tailNorm(m, r, c, j + 1);
    computed[c] = norms[c];
  } else {
    norms[c] = kept;
  }
}
