// Plain-JS float64 reference for the facts in reference.json: Frobenius norm, sum and top singular values of
// dW = scaling * B A, without forming more than r x r matrices for the singular values.

/** Cyclic Jacobi eigenvalues of a symmetric n x n matrix (row-major, float64), sorted descending. */
export function jacobiEigenvalues(sym: Float64Array, n: number): number[] {
  const a = Float64Array.from(sym);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q] ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
      }
    }
  }
  return Array.from({ length: n }, (_, i) => a[i * n + i]).sort((x, y) => y - x);
}

/**
 * Singular values of scaling * B A (A: r x dIn, B: dOut x r), descending, r of them. With A A^T = L L^T
 * (Cholesky), (BA)(BA)^T = (BL)(BL)^T, so the squared singular values are the eigenvalues of the symmetric
 * r x r matrix L^T (B^T B) L, found by Jacobi rotations.
 */
export function lowRankSingularValues(A: Float32Array, B: Float32Array, r: number, dIn: number, dOut: number, scaling: number): number[] {
  const G = new Float64Array(r * r); // A A^T
  for (let i = 0; i < r; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k < dIn; k++) s += A[i * dIn + k] * A[j * dIn + k];
      G[i * r + j] = s;
      G[j * r + i] = s;
    }
  }
  const H = new Float64Array(r * r); // B^T B
  for (let i = 0; i < r; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k < dOut; k++) s += B[k * r + i] * B[k * r + j];
      H[i * r + j] = s;
      H[j * r + i] = s;
    }
  }
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
  // S = L^T H L
  const HL = new Float64Array(r * r);
  for (let i = 0; i < r; i++)
    for (let j = 0; j < r; j++) {
      let s = 0;
      for (let k = 0; k < r; k++) s += H[i * r + k] * L[k * r + j];
      HL[i * r + j] = s;
    }
  const S = new Float64Array(r * r);
  for (let i = 0; i < r; i++)
    for (let j = 0; j < r; j++) {
      let s = 0;
      for (let k = 0; k < r; k++) s += L[k * r + i] * HL[k * r + j];
      S[i * r + j] = s;
    }
  for (let i = 0; i < r; i++) for (let j = 0; j < i; j++) S[i * r + j] = S[j * r + i] = (S[i * r + j] + S[j * r + i]) / 2;
  return jacobiEigenvalues(S, r).map((ev) => Math.abs(scaling) * Math.sqrt(Math.max(ev, 0)));
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

/** Dense scaling * B A, float64 (small matrices only; used to cross-check the factored singular values). */
export function denseDelta(A: Float32Array, B: Float32Array, r: number, dIn: number, dOut: number, scaling: number): Float64Array {
  const out = new Float64Array(dOut * dIn);
  for (let i = 0; i < dOut; i++)
    for (let k = 0; k < r; k++) {
      const b = scaling * B[i * r + k];
      for (let j = 0; j < dIn; j++) out[i * dIn + j] += b * A[k * dIn + j];
    }
  return out;
}
