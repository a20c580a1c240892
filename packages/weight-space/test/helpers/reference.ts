// Plain-JS float64 reference of the paper's losses, written from the definitions (dense dW, Jacobi SVD).
export type Mat = number[][];

export const matmul = (x: Mat, y: Mat): Mat => x.map((row) => y[0].map((_, j) => row.reduce((s, v, k) => s + v * y[k][j], 0)));
export const transpose = (x: Mat): Mat => x[0].map((_, j) => x.map((row) => row[j]));
const frob = (x: Mat, y: Mat) => x.reduce((s, row, i) => s + row.reduce((t, v, j) => t + v * y[i][j], 0), 0);

/** All singular values of x, descending (one-sided Jacobi in float64, run to convergence). */
export function singularValues(x: Mat): number[] {
  const cols = transpose(x.length >= x[0].length ? x : transpose(x));
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    for (let p = 0; p < cols.length; p++) {
      for (let q = p + 1; q < cols.length; q++) {
        const a = cols[p].reduce((s, v) => s + v * v, 0);
        const b = cols[q].reduce((s, v) => s + v * v, 0);
        const g = cols[p].reduce((s, v, i) => s + v * cols[q][i], 0);
        if (Math.abs(g) <= 1e-300) continue;
        off = Math.max(off, Math.abs(g) / Math.sqrt(a * b));
        const zeta = (b - a) / (2 * g);
        const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        for (let i = 0; i < cols[p].length; i++) {
          const [u, v] = [cols[p][i], cols[q][i]];
          cols[p][i] = c * u - s * v;
          cols[q][i] = s * u + c * v;
        }
      }
    }
    if (off < 1e-15) break;
  }
  return cols.map((c) => Math.sqrt(c.reduce((s, v) => s + v * v, 0))).sort((u, v) => v - u);
}

export interface Factors {
  A: Mat;
  B: Mat;
}
export const product = (f: Factors): Mat => matmul(f.B, f.A);

export function angular(pred: Factors, target: Factors): number {
  const p = product(pred);
  const t = product(target);
  return 1 - frob(p, t) / Math.sqrt(frob(p, p) * frob(t, t));
}

export interface SpectralRef {
  k: number | 'energy';
  energyRatio?: number;
  p?: number;
  weights?: 'energy' | 'uniform' | number[];
}

/** (sum_i w_i |sh_i - s_i|^p)^(1/p) with k and w from the target; `weights` as given or by the rule. */
export function spectral(pred: Factors, target: Factors, opts: SpectralRef): number {
  const sh = singularValues(product(pred));
  const s = singularValues(product(target));
  const { energyRatio = 0.85, p = 1, weights = 'energy' } = opts;
  let k: number;
  if (Array.isArray(weights)) k = weights.length;
  else if (opts.k === 'energy') {
    const total = s.reduce((acc, v) => acc + v * v, 0);
    let cum = 0;
    k = 0;
    while (k < s.length && cum < energyRatio * total) cum += s[k] * s[k++];
  } else k = opts.k;
  const w = Array.isArray(weights)
    ? weights
    : weights === 'uniform'
      ? Array(k).fill(1 / k)
      : s.slice(0, k).map((v, _, top) => v / top.reduce((acc, x) => acc + x, 0));
  let sum = 0;
  for (let i = 0; i < k; i++) sum += w[i] * Math.abs((sh[i] ?? 0) - (s[i] ?? 0)) ** p;
  return sum ** (1 / p);
}

/** Central finite differences of f at every entry of the factors (float64). */
export function numericGradient(f: (x: Factors) => number, x: Factors, step = 1e-6): Factors {
  const grad = (which: 'A' | 'B'): Mat =>
    x[which].map((row, i) =>
      row.map((_, j) => {
        const bump = (delta: number) => {
          const copy = { A: x.A.map((r) => [...r]), B: x.B.map((r) => [...r]) };
          copy[which][i][j] += delta;
          return f(copy);
        };
        const h = step * Math.max(1, Math.abs(x[which][i][j]));
        return (bump(h) - bump(-h)) / (2 * h);
      }),
    );
  return { A: grad('A'), B: grad('B') };
}
