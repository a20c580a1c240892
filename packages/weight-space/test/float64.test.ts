import { expectClose, hostLowRankDelta, hostProductTransposed } from '@loragen/test-utils';
import {
  lowRankCosineFloat64 as lowRankCosine,
  lowRankNormFloat64 as lowRankNorm,
  lowRankSingularValuesFloat64 as lowRankSingularValues,
  spectralEntropyOfValues as spectralEntropy,
  symmetricEigenvalues,
} from '../src';
import { gaussian, rng as uniforms } from './helpers/random';

// The float64 host versions (moved here from @loragen/core, which uses them for normalisation and analysis).

/** `count` standard normals as float32, from a seeded uniform stream. */
const normalsFrom = (rand: () => number) => ({ normals: (count: number) => Float32Array.from(gaussian(rand, 1, count)[0]) });

/** Dense reference: dW = s B A formed explicitly, singular values from the eigenvalues of dW dW^T. */
function dense(s: number, A: Float32Array, B: Float32Array, r: number, n: number, m: number) {
  const dW = hostLowRankDelta(A, B, r, n, m, s);
  return {
    dW,
    sv: Array.from(symmetricEigenvalues(hostProductTransposed(dW, dW, m, m, n), m))
      .slice(0, r)
      .map((e) => Math.sqrt(Math.max(e, 0))),
  };
}

describe('factored low-rank facts in float64', () => {
  const rng = normalsFrom(uniforms(3));
  const [r, n, m] = [4, 12, 9];
  const x = { rank: r, dIn: n, dOut: m, A: rng.normals(r * n), B: rng.normals(m * r), scaling: 0.7 };
  const y = { rank: r, dIn: n, dOut: m, A: rng.normals(r * n), B: rng.normals(m * r), scaling: 2 };

  it('match a dense computation: norm, inner product, singular values', () => {
    const dx = dense(x.scaling, x.A, x.B, r, n, m);
    const dy = dense(y.scaling, y.A, y.B, r, n, m);
    const fro = Math.sqrt(dx.dW.reduce((s, v) => s + v * v, 0));
    expectClose(lowRankNorm(x), fro, { rtol: 1e-10 });
    const inner = dx.dW.reduce((s, v, i) => s + v * dy.dW[i], 0);
    expectClose(lowRankCosine(x, y) * lowRankNorm(x) * lowRankNorm(y), inner, { rtol: 1e-9 });
    expectClose(Array.from(lowRankSingularValues(x)), dx.sv, { rtol: 1e-7 });
  });

  it('are gauge invariant: (B R)(R^-1 A) has the same singular values', () => {
    // R = I + strictly upper triangular part (unit upper triangular, easy exact inverse by back substitution)
    const R = new Float64Array(r * r);
    for (let i = 0; i < r; i++) for (let j = i; j < r; j++) R[i * r + j] = i === j ? 1 : rng.normals(1)[0];
    const Rinv = new Float64Array(r * r);
    for (let c = 0; c < r; c++) {
      for (let i = r - 1; i >= 0; i--) {
        let v = i === c ? 1 : 0;
        for (let k = i + 1; k < r; k++) v -= R[i * r + k] * Rinv[k * r + c];
        Rinv[i * r + c] = v;
      }
    }
    const B2 = new Float32Array(m * r);
    for (let i = 0; i < m; i++) for (let j = 0; j < r; j++) for (let k = 0; k < r; k++) B2[i * r + j] += x.B[i * r + k] * R[k * r + j];
    const A2 = new Float32Array(r * n);
    for (let i = 0; i < r; i++) for (let j = 0; j < n; j++) for (let k = 0; k < r; k++) A2[i * n + j] += Rinv[i * r + k] * x.A[k * n + j];
    expectClose(Array.from(lowRankSingularValues({ ...x, A: A2, B: B2 })), Array.from(lowRankSingularValues(x)), { rtol: 1e-4 });
  });

  it('handles a rank-deficient update (zero singular values, finite)', () => {
    const A = new Float32Array(r * n);
    A.set(x.A.subarray(0, 2 * n)); // rows 2, 3 zero: rank 2
    const sv = lowRankSingularValues({ ...x, A });
    expect(Array.from(sv.subarray(2)).every((s) => s === 0)).toBe(true);
    expectClose(Array.from(sv.subarray(0, 2)), dense(x.scaling, A, x.B, r, n, m).sv.slice(0, 2), { rtol: 1e-7 });
  });

  it('spectral entropy: 0 for rank one, ln k for k equal singular values', () => {
    expect(spectralEntropy([3, 0, 0])).toBe(0);
    expectClose(spectralEntropy([2, 2, 2, 2]), Math.log(4), { rtol: 1e-12 });
  });
});
