// Seeded float64 random matrices for tests (mulberry32 + Box-Muller), and structured cases.
import { seededUniform } from '@loragen/test-utils';
import { type Factors, type Mat, matmul, transpose } from './reference';

/** Uniforms in [0, 1) from `seed` (mulberry32, shared by every package's tests). */
export const rng = seededUniform;

export function gaussian(rand: () => number, rows: number, cols: number): Mat {
  return Array.from({ length: rows }, () =>
    Array.from({ length: cols }, () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand())),
  );
}

/** Orthonormal columns [rows, cols] by Gram-Schmidt of a Gaussian matrix. */
export function orthonormal(rand: () => number, rows: number, cols: number): Mat {
  const q = transpose(gaussian(rand, rows, cols));
  for (let j = 0; j < cols; j++) {
    for (let i = 0; i < j; i++) {
      const d = q[j].reduce((s, v, t) => s + v * q[i][t], 0);
      q[j] = q[j].map((v, t) => v - d * q[i][t]);
    }
    const n = Math.sqrt(q[j].reduce((s, v) => s + v * v, 0));
    q[j] = q[j].map((v) => v / n);
  }
  return transpose(q);
}

/** Factors with prescribed singular values: B = U diag(s), A = V^T (zeros in s make it rank-deficient). */
export function withSpectrum(rand: () => number, m: number, n: number, s: number[]): Factors {
  const u = orthonormal(rand, m, s.length);
  const v = orthonormal(rand, n, s.length);
  return { A: transpose(v), B: u.map((row) => row.map((x, j) => x * s[j])) };
}

export const randomFactors = (rand: () => number, m: number, n: number, r: number): Factors => ({
  A: gaussian(rand, r, n),
  B: gaussian(rand, m, r),
});

/** A gauge R = Q1 diag(s) Q2 with singular values log-spaced in [1, cond], and its exact inverse. */
export function gauge(rand: () => number, r: number, cond: number): { R: Mat; inverse: Mat } {
  const q1 = orthonormal(rand, r, r);
  const q2 = orthonormal(rand, r, r);
  const s = Array.from({ length: r }, (_, i) => cond ** (r === 1 ? 0 : i / (r - 1)));
  const scale = (q: Mat, d: number[]) => q.map((row) => row.map((x, j) => x * d[j]));
  return {
    R: matmul(scale(q1, s), transpose(q2)),
    inverse: matmul(
      scale(
        q2,
        s.map((x) => 1 / x),
      ),
      transpose(q1),
    ),
  };
}
