// An independent check of what the example reports, in plain float64 with no tfjs and nothing of weight-space:
// the dense update dW = B A, its singular values, and the cosine between two updates.
export type Mat = number[][];

export const product = (B: Mat, A: Mat): Mat => B.map((row) => A[0].map((_, j) => row.reduce((s, b, k) => s + b * A[k][j], 0)));

/** Singular values, descending, by one-sided Jacobi: rotate column pairs until all are orthogonal; their norms. */
export function singularValues(x: Mat): number[] {
  const cols = x[0].map((_, j) => x.map((row) => row[j]));
  const dot = (u: number[], v: number[]) => u.reduce((s, ui, i) => s + ui * v[i], 0);
  for (let sweep = 0; sweep < 100; sweep++) {
    let rotated = false;
    for (let p = 0; p < cols.length; p++) {
      for (let q = p + 1; q < cols.length; q++) {
        const [a, b, g] = [dot(cols[p], cols[p]), dot(cols[q], cols[q]), dot(cols[p], cols[q])];
        if (Math.abs(g) <= 1e-15 * Math.sqrt(a * b)) continue;
        rotated = true;
        const zeta = (b - a) / (2 * g);
        const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        const [u, v] = [cols[p], cols[q]];
        cols[p] = u.map((ui, i) => c * ui - s * v[i]);
        cols[q] = u.map((ui, i) => s * ui + c * v[i]);
      }
    }
    if (!rotated) break;
  }
  return cols.map((col) => Math.sqrt(dot(col, col))).sort((a, b) => b - a);
}

/** 1 - cos(x, y) with the matrices read as vectors. */
export function angularDistance(x: Mat, y: Mat): number {
  const [u, v] = [x.flat(), y.flat()];
  const dot = (a: number[], b: number[]) => a.reduce((s, ai, i) => s + ai * b[i], 0);
  return 1 - dot(u, v) / Math.sqrt(dot(u, u) * dot(v, v));
}
