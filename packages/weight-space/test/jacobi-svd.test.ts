// The fixed sweep count of the r x r Jacobi SVD is enough in float32 for the spectra that converge slowest:
// clustered, repeated, tiny and graded (condition 1e3) singular values, against a float64 reference. (r = 32 at 9
// sweeps passes the same bounds but takes ~30 s on the cpu backend, too slow for the unit suite.)
import * as tf from '@tensorflow/tfjs';
import { describeEachBackend } from '@loragen/test-utils';
import { jacobiSvd, jacobiSweeps } from '../src/linalg/jacobi-svd';
import { type Mat, matmul, singularValues, transpose } from './helpers/reference';
import { gaussian, orthonormal, rng } from './helpers/random';

const rand = rng(11);
/** U diag(s) V^T with random orthogonal U, V. */
function withValues(s: number[]): Mat {
  const u = orthonormal(rand, s.length, s.length);
  const v = orthonormal(rand, s.length, s.length);
  return matmul(
    u.map((row) => row.map((x, j) => x * s[j])),
    transpose(v),
  );
}
const hardCases = (r: number): Mat[] => [
  gaussian(rand, r, r),
  withValues(Array.from({ length: r }, (_, i) => 1 + 1e-4 * i)),
  withValues(Array.from({ length: r }, (_, i) => (i < r / 2 ? 1 : 0.5))),
  withValues(Array.from({ length: r }, (_, i) => (i < r - 3 ? 1 / (i + 1) : 1e-6 * (i - r + 4)))),
  withValues(Array.from({ length: r }, (_, i) => 1e-3 ** (i / (r - 1)))),
  withValues(Array.from({ length: r }, (_, i) => (i < r / 2 ? 1 + i : 0))),
];
const norm = (x: number[]) => Math.sqrt(x.reduce((s, v) => s + v * v, 0));

describeEachBackend('Jacobi SVD sweep count', () => {
  for (const r of [8, 16]) {
    it(`r = ${r}, ${jacobiSweeps(r)} sweeps: singular values to 2e-6 sigma_1, columns orthogonal to 1e-5 sigma_1^2`, async () => {
      const cores = hardCases(r);
      const { columns, right } = jacobiSvd(tf.tensor3d(cores), jacobiSweeps(r));
      const [kv, v] = [(await columns.array()) as Mat[], (await right.array()) as Mat[]];
      tf.dispose([columns, right]);
      let [valueError, dotError, productError] = [0, 0, 0];
      cores.forEach((core, b) => {
        const exact = singularValues(core);
        const cols = transpose(kv[b]);
        const got = cols.map(norm).sort((x, y) => y - x);
        got.forEach((g, i) => (valueError = Math.max(valueError, Math.abs(g - exact[i]) / exact[0])));
        for (let p = 0; p < r; p++) {
          for (let q = p + 1; q < r; q++) {
            const dot = cols[p].reduce((s, x, i) => s + x * cols[q][i], 0);
            dotError = Math.max(dotError, Math.abs(dot) / exact[0] ** 2);
          }
        }
        // K V = columns with V orthogonal: the rotations were applied to both.
        const kvRef = matmul(core, v[b]);
        kvRef.forEach((row, i) => row.forEach((x, j) => (productError = Math.max(productError, Math.abs(x - kv[b][i][j]) / exact[0]))));
      });
      expect(valueError).toBeLessThan(2e-6);
      expect(dotError).toBeLessThan(1e-5);
      expect(productError).toBeLessThan(1e-5);
    });
  }
});
