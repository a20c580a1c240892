// The float64 r x r algebra behind the SIMD path: Cholesky roots and the pivoted-QR + Jacobi SVD (its sweeps by
// the jacobi_sweeps SIMD kernel).
import { heapJacobi, heapJacobiBytes } from '../src/host/heap-jacobi';
import {
  choleskyLower,
  lowerTimes,
  lowerTransposeTimes,
  pivotedTriangle,
  smallSingularValues,
  smallSvd,
  svdWorkspace,
} from '../src/host/small-linalg';
import type { SimdKernels } from '../src/simd/kernel-abi';
import { simdKernelsFor } from '../src/simd/simd-instance';
import { type Mat, matmul, singularValues, transpose } from './helpers/reference';
import { gaussian, orthonormal, rng } from './helpers/random';

const rand = rng(5);
const memory = new WebAssembly.Memory({ initial: 1 });
const maxRank = 16;
const sweeps = heapJacobi(simdKernelsFor(memory) as SimdKernels, () => new Float64Array(memory.buffer), 64, maxRank);
const flat = (m: Mat) => Float64Array.from(m.flat());
/** K column-major, as the SVD takes it. */
const columnMajor = (m: Mat) => flat(transpose(m));
/** A matrix as the view choleskyLower reads (only its upper triangle). */
const whole = (m: Mat) => ({ data: flat(m.map((row, i) => row.map((v, j) => (j >= i ? v : NaN)))), offset: 0, stride: m.length });
const toMat = (a: Float64Array, r: number): Mat => Array.from({ length: r }, (_, i) => Array.from(a.subarray(i * r, i * r + r)));
const maxAbsDiff = (x: Mat, y: Mat) => Math.max(...x.flatMap((row, i) => row.map((v, j) => Math.abs(v - y[i][j]))));
/** U diag(s) V^T with random orthogonal U, V. */
const withSingularValues = (s: number[]): Mat => {
  const u = orthonormal(rand, s.length, s.length);
  const v = orthonormal(rand, s.length, s.length);
  return matmul(
    u.map((row) => row.map((x, j) => x * s[j])),
    transpose(v),
  );
};

describe('choleskyLower', () => {
  it('factors a positive definite Gram: F F^T = G, F lower triangular', () => {
    const x = gaussian(rand, 6, 9);
    const g = matmul(x, transpose(x));
    const f = toMat(choleskyLower(whole(g), 6), 6);
    expect(maxAbsDiff(matmul(f, transpose(f)), g)).toBeLessThan(1e-12);
    expect(f.every((row, i) => row.every((v, j) => j <= i || v === 0))).toBe(true);
  });

  it('gives a finite factor with zero columns for rank-deficient and zero Grams', () => {
    const x = gaussian(rand, 2, 5);
    const rows = [x[0], x[1], x[0].map((v, k) => v + 2 * x[1][k]), x[0].map(() => 0)];
    const g = matmul(rows, transpose(rows));
    const f = toMat(choleskyLower(whole(g), 4), 4);
    expect(f.flat().every(Number.isFinite)).toBe(true);
    expect(maxAbsDiff(matmul(f, transpose(f)), g)).toBeLessThan(1e-10);
    expect(Array.from(choleskyLower({ data: new Float64Array(9), offset: 0, stride: 3 }, 3))).toEqual(new Array(9).fill(0));
  });
});

describe('smallSvd', () => {
  const cases: [string, Mat][] = [
    ['random 16 x 16', gaussian(rand, 16, 16)],
    ['random 5 x 5 (odd: padded columns)', gaussian(rand, 5, 5)],
    ['graded spectrum 1 .. 1e-6', withSingularValues([1, 0.3, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6])],
    ['repeated singular values', withSingularValues([2, 2, 2, 0.5, 0.5])],
    ['rank-deficient (two zeros)', withSingularValues([3, 1, 0, 0])],
    ['1 x 1', [[-4]]],
  ];
  it.each(cases)('%s: values, orthonormal vectors and K = P S Q^T', (_, k) => {
    const r = k.length;
    const { values, right } = smallSvd(columnMajor(k), r, sweeps);
    const expected = singularValues(k);
    values.forEach((v, i) => expect(Math.abs(v - expected[i])).toBeLessThan(1e-12 * expected[0]));
    expect(Array.from(values)).toEqual([...values].sort((a, b) => b - a));
    const live = Array.from(values).map((v) => v > 1e-12 * values[0]);
    // the columns of `right` (rows of q here) are the vectors; the left ones are p = K q / sigma (zero where sigma is)
    const q = transpose(toMat(right, r));
    const p = q.map((qi, i) => (values[i] > 0 ? matmul(k, transpose([qi])).map(([v]) => v / values[i]) : qi.map(() => 0)));
    // orthonormal among the live ones, the left ones to the sweep's tolerance 1e-12 times sigma_1 / sigma (with a
    // margin of 100)
    for (let i = 0; i < r; i++) {
      for (let j = 0; j < r; j++) {
        if (!live[i] || !live[j]) continue;
        const dot = (m: Mat) => m[i].reduce((s, v, t) => s + v * m[j][t], 0);
        expect(Math.abs(dot(q) - (i === j ? 1 : 0))).toBeLessThan(1e-10);
        expect(Math.abs(dot(p) - (i === j ? 1 : 0))).toBeLessThan((1e-10 * values[0]) / Math.min(values[i], values[j]));
      }
    }
    const rebuilt = k.map((_, i) => k.map((__, j) => values.reduce((s, v, t) => s + v * p[t][i] * q[t][j], 0)));
    expect(maxAbsDiff(rebuilt, k)).toBeLessThan(1e-9 * values[0]);
  });

  it('needs scratch for the columns (padded to even length) and the norms', () => {
    expect(heapJacobiBytes(maxRank) + 64).toBeLessThan(memory.buffer.byteLength);
  });

  describe('triangular products', () => {
    const lower = (m: Mat) => m.map((row, i) => row.map((v, j) => (j <= i ? v : 0)));
    const [x, y] = [lower(gaussian(rand, 5, 5)), lower(gaussian(rand, 5, 5))];
    const dense = gaussian(rand, 5, 5);
    /** The first 3 columns of m, the others zero. */
    const leading = (m: Mat) => m.map((row) => row.map((v, j) => (j < 3 ? v : 0)));
    it('lowerTransposeTimes is X^T Y for lower-triangular X, Y (the core of two Cholesky roots)', () => {
      expect(maxAbsDiff(toMat(lowerTransposeTimes(flat(x), flat(y), 5, 5), 5), matmul(transpose(x), y))).toBeLessThan(1e-14);
    });
    it('lowerTransposeTimes and lowerTimes are X^T Y and X Y over the leading columns of a dense Y', () => {
      const buffer = new Float64Array(25).fill(7); // stale contents must not leak into the zero columns
      expect(maxAbsDiff(toMat(lowerTransposeTimes(flat(x), flat(dense), 5, 3, buffer), 5), leading(matmul(transpose(x), dense)))).toBeLessThan(1e-14);
      expect(maxAbsDiff(toMat(lowerTimes(flat(x), flat(dense), 5, 3, buffer.fill(7)), 5), leading(matmul(x, dense)))).toBeLessThan(1e-14);
    });
  });
});

describe('pivotedTriangle', () => {
  /** R (upper triangular) and Pi of K Pi = Q R, from a fresh workspace. */
  const qr = (k: Mat) => {
    const work = svdWorkspace(k.length);
    pivotedTriangle(columnMajor(k), k.length, work);
    return { rr: transpose(toMat(work.columns, k.length)), perm: Array.from(work.perm) };
  };
  /** Column pivoting's invariant: R_jj^2 bounds the squared norm of every later column's part from row j down. */
  const pivotsDominate = (rr: Mat) =>
    rr.every((row, j) => row.every((_, c) => c <= j || rr.slice(j, c + 1).reduce((s, x) => s + x[c] ** 2, 0) <= rr[j][j] ** 2 * (1 + 1e-7)));

  it.each([
    ['random 16 x 16', gaussian(rand, 16, 16)],
    ['graded spectrum 1 .. 1e-6', withSingularValues([1, 0.3, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6])],
    ['rank-deficient (two zeros)', withSingularValues([3, 1, 0, 0])],
  ])('%s: K Pi = Q R with dominant pivots', (_, k) => {
    const { rr, perm } = qr(k);
    expect([...perm].sort((a, b) => a - b)).toEqual(k.map((__, i) => i));
    expect(rr.every((row, i) => row.every((v, j) => j >= i || v === 0))).toBe(true);
    expect(pivotsDominate(rr)).toBe(true);
    // Q orthogonal: R^T R = (K Pi)^T (K Pi)
    const kPi = k.map((row) => perm.map((c) => row[c]));
    const norm2 = Math.max(...matmul(transpose(k), k).map((row, i) => row[i]));
    expect(maxAbsDiff(matmul(transpose(rr), rr), matmul(transpose(kPi), kPi))).toBeLessThan(1e-13 * norm2);
  });

  it('recomputes a downdated norm that cancellation wiped out', () => {
    // Column 1 is column 0 / 2 plus 1e-9 e_1: after the first step its tail norm is 1e-9, but the downdate
    // 1 - R_01^2 gives 0 in float64, which would rank it below column 2 (norm 1e-12).
    const k = [
      [2, 1, 0, 0],
      [0, 1e-9, 0, 0],
      [0, 0, 1e-12, 0],
      [0, 0, 0, 0],
    ];
    const { rr, perm } = qr(k);
    expect(perm).toEqual([0, 1, 2, 3]);
    expect(Math.abs(rr[1][1])).toBeCloseTo(1e-9, 20);
    expect(pivotsDominate(rr)).toBe(true);
  });
});

describe('rank-deficient cores whose live rows come last', () => {
  // The core F_B^T F_A of a sum whose earlier terms weigh 0: rows of zeros, then a few live ones. Past its rank each
  // QR step reflects the rounding residue again, squaring its norm every 4 steps here, until it underflowed at step
  // 40 and 1 / (tail - alpha x) = Infinity turned R into NaN.
  const r = 48;
  const k: Mat = [...Array.from({ length: r - 4 }, () => new Array(r).fill(0)), ...gaussian(rand, 4, r)];
  const wide = heapJacobi(simdKernelsFor(memory) as SimdKernels, () => new Float64Array(memory.buffer), 64, r);

  it('pivotedTriangle gives a finite R with R^T R = (K Pi)^T (K Pi)', () => {
    const work = svdWorkspace(r);
    pivotedTriangle(columnMajor(k), r, work);
    const rr = transpose(toMat(work.columns, r));
    expect(rr.flat().every(Number.isFinite)).toBe(true);
    const kPi = k.map((row) => Array.from(work.perm).map((c) => row[c]));
    const norm2 = Math.max(...matmul(transpose(k), k).map((row, i) => row[i]));
    expect(maxAbsDiff(matmul(transpose(rr), rr), matmul(transpose(kPi), kPi))).toBeLessThan(1e-13 * norm2);
  });

  it('smallSvd gives its 4 singular values and zeros', () => {
    expect(heapJacobiBytes(r) + 64).toBeLessThan(memory.buffer.byteLength);
    const { values } = smallSvd(columnMajor(k), r, wide);
    const expected = singularValues(k);
    values.forEach((v, i) => expect(Math.abs(v - expected[i])).toBeLessThan(1e-12 * expected[0]));
    expect(Array.from(values.subarray(4)).every((v) => v < 1e-14 * values[0])).toBe(true);
  });
});

describe('workspaces', () => {
  it('smallSvd and smallSingularValues give the same results with a reused workspace', () => {
    const work = svdWorkspace(5);
    // the middle one has two zero columns, so exactly zero singular values (and vectors) after full-rank ones
    const ks = [gaussian(rand, 5, 5), gaussian(rand, 5, 5).map((row) => row.map((v, j) => (j < 3 ? v : 0))), gaussian(rand, 5, 5)];
    for (const k of ks) {
      const fresh = smallSvd(columnMajor(k), 5, sweeps);
      const [values, right] = [fresh.values, fresh.right].map((a) => Array.from(a));
      const reused = smallSvd(columnMajor(k), 5, sweeps, work);
      expect([reused.values, reused.right].map((a) => Array.from(a))).toEqual([values, right]);
      expect(Array.from(smallSingularValues(columnMajor(k), 5, sweeps, work))).toEqual(Array.from(smallSingularValues(columnMajor(k), 5, sweeps)));
    }
  });

  it('smallSingularValues matches the float64 reference', () => {
    const k = withSingularValues([1, 0.3, 1e-2, 1e-3, 1e-4, 1e-5]);
    const expected = singularValues(k);
    smallSingularValues(columnMajor(k), 6, sweeps).forEach((v, i) => expect(Math.abs(v - expected[i])).toBeLessThan(1e-12 * expected[0]));
  });
});
