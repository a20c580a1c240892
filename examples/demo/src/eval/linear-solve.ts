// Dense solves of the small (library-sized) systems the description baselines fit.

/** Solves S X = Y for symmetric positive definite S [n, n] and Y [n, m] (row-major), by Cholesky. */
export function solvePositiveDefinite(s: Float64Array, y: Float64Array, n: number, m: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let d = s[j * n + j];
    for (let k = 0; k < j; k++) d -= l[j * n + k] ** 2;
    if (!(d > 0)) throw new RangeError('solvePositiveDefinite: the matrix is not positive definite');
    const pivot = Math.sqrt(d);
    l[j * n + j] = pivot;
    for (let i = j + 1; i < n; i++) {
      let v = s[i * n + j];
      for (let k = 0; k < j; k++) v -= l[i * n + k] * l[j * n + k];
      l[i * n + j] = v / pivot;
    }
  }
  const x = Float64Array.from(y);
  for (let c = 0; c < m; c++) {
    for (let i = 0; i < n; i++) {
      let v = x[i * m + c];
      for (let k = 0; k < i; k++) v -= l[i * n + k] * x[k * m + c];
      x[i * m + c] = v / l[i * n + i];
    }
    for (let i = n - 1; i >= 0; i--) {
      let v = x[i * m + c];
      for (let k = i + 1; k < n; k++) v -= l[k * n + i] * x[k * m + c];
      x[i * m + c] = v / l[i * n + i];
    }
  }
  return x;
}
