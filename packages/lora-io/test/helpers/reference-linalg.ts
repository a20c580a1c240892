// Plain-JS float64 reference for the facts in reference.json: Frobenius norm, sum and top singular values of
// dW = scaling * B A, without forming more than r x r matrices for the singular values. An oracle of its own: the
// eigenvalues come from a Householder reduction to tridiagonal form and Sturm-sequence bisection, not from the
// Jacobi rotations the libraries use.
import { hostProductTransposed } from '@loragen/test-utils';

/**
 * Householder reduction of a symmetric n x n matrix (row-major) to a similar tridiagonal one: its diagonal d [n]
 * and subdiagonal e [n - 1].
 */
function tridiagonalize(sym: ArrayLike<number>, n: number): { d: Float64Array; e: Float64Array } {
  const a = Float64Array.from(sym);
  for (let k = 0; k + 2 < n; k++) {
    // v: the reflector H = I - 2 v v^T / (v^T v) that zeroes column k below its subdiagonal
    let norm = 0;
    for (let i = k + 1; i < n; i++) norm += a[i * n + k] ** 2;
    norm = Math.sqrt(norm);
    if (norm === 0) continue;
    const head = a[(k + 1) * n + k];
    const alpha = head > 0 ? -norm : norm;
    const v = new Float64Array(n);
    v[k + 1] = head - alpha;
    for (let i = k + 2; i < n; i++) v[i] = a[i * n + k];
    const vv = v.reduce((s, x) => s + x * x, 0);
    // H a H = a - v w^T - w v^T with p = 2 a v / vv and w = p - (v^T p / vv) v
    const p = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = k + 1; j < n; j++) s += a[i * n + j] * v[j];
      p[i] = (2 * s) / vv;
    }
    let vp = 0;
    for (let i = k + 1; i < n; i++) vp += v[i] * p[i];
    const w = p.map((x, i) => x - (vp / vv) * v[i]);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] -= v[i] * w[j] + w[i] * v[j];
  }
  const d = new Float64Array(n);
  const e = new Float64Array(Math.max(n - 1, 0));
  for (let i = 0; i < n; i++) d[i] = a[i * n + i];
  for (let i = 0; i + 1 < n; i++) e[i] = a[(i + 1) * n + i];
  return { d, e };
}

/** How many eigenvalues of the tridiagonal (d, e) lie below x: the negative pivots of T - x I (Sturm count). */
function eigenvaluesBelow(d: Float64Array, e: Float64Array, x: number, pivmin: number): number {
  let count = 0;
  let q = 1;
  for (let i = 0; i < d.length; i++) {
    q = d[i] - x - (i > 0 ? (e[i - 1] * e[i - 1]) / q : 0);
    if (Math.abs(q) < pivmin) q = -pivmin;
    if (q < 0) count++;
  }
  return count;
}

/** Eigenvalues of a symmetric n x n matrix (row-major, float64), descending: tridiagonal form, then bisection. */
export function symmetricEigenvaluesBisection(sym: ArrayLike<number>, n: number): number[] {
  const { d, e } = tridiagonalize(sym, n);
  // Gershgorin bounds of the whole spectrum
  let lo = Infinity;
  let hi = -Infinity;
  let maxE2 = 1;
  for (let i = 0; i < n; i++) {
    const radius = (i > 0 ? Math.abs(e[i - 1]) : 0) + (i + 1 < n ? Math.abs(e[i]) : 0);
    lo = Math.min(lo, d[i] - radius);
    hi = Math.max(hi, d[i] + radius);
    if (i + 1 < n) maxE2 = Math.max(maxE2, e[i] * e[i]);
  }
  const pivmin = 1e-290 * maxE2;
  const out: number[] = [];
  for (let m = n - 1; m >= 0; m--) {
    // the (m + 1)-th smallest eigenvalue: the x where the count below x steps from m to m + 1
    let below = lo;
    let above = hi;
    for (;;) {
      const mid = (below + above) / 2;
      if (mid <= below || mid >= above) break;
      if (eigenvaluesBelow(d, e, mid, pivmin) > m) above = mid;
      else below = mid;
    }
    out.push((below + above) / 2);
  }
  return out;
}

/**
 * Singular values of scaling * B A (A: r x dIn, B: dOut x r), descending, r of them. With A A^T = L L^T
 * (Cholesky), (BA)(BA)^T = (BL)(BL)^T, whose nonzero eigenvalues are those of the r x r matrix (BL)^T (BL): the
 * squared singular values.
 */
export function lowRankSingularValues(A: Float32Array, B: Float32Array, r: number, dIn: number, dOut: number, scaling: number): number[] {
  const G = hostProductTransposed(A, A, r, r, dIn);
  // Cholesky G = L L^T (with a ridge relative to G's scale for rank-deficient A).
  let trace = 0;
  for (let i = 0; i < r; i++) trace += G[i * r + i];
  const ridge = 1e-14 * (trace / r || 1);
  const L = new Float64Array(r * r);
  for (let i = 0; i < r; i++) {
    for (let j = 0; j <= i; j++) {
      let s = G[i * r + j] + (i === j ? ridge : 0);
      for (let k = 0; k < j; k++) s -= L[i * r + k] * L[j * r + k];
      L[i * r + j] = i === j ? Math.sqrt(Math.max(s, 0)) : s / (L[j * r + j] || 1e-300);
    }
  }
  // (BL)^T [r, dOut], then its row Gram (BL)^T (BL)
  const blT = new Float64Array(r * dOut);
  for (let i = 0; i < dOut; i++) {
    for (let k = 0; k < r; k++) {
      const b = B[i * r + k];
      for (let j = 0; j <= k; j++) blT[j * dOut + i] += b * L[k * r + j];
    }
  }
  const S = hostProductTransposed(blT, blT, r, r, dOut);
  return symmetricEigenvaluesBisection(S, r).map((ev) => Math.abs(scaling) * Math.sqrt(Math.max(ev, 0)));
}

/** Frobenius norm and sum of scaling * B A, in float64. */
export function deltaFroSum(A: Float32Array, B: Float32Array, r: number, dIn: number, dOut: number, scaling: number): { fro: number; sum: number } {
  let fro = 0;
  let sum = 0;
  const row = new Float64Array(dIn);
  for (let i = 0; i < dOut; i++) {
    row.fill(0);
    for (let k = 0; k < r; k++) {
      const b = B[i * r + k];
      for (let j = 0; j < dIn; j++) row[j] += b * A[k * dIn + j];
    }
    for (let j = 0; j < dIn; j++) {
      const v = scaling * row[j];
      fro += v * v;
      sum += v;
    }
  }
  return { fro: Math.sqrt(fro), sum };
}
