import * as tf from '@tensorflow/tfjs';
import { describeEachBackend, expectClose } from '@loragen/test-utils';
import { applyGauge, balancedFactors, cosineSimilarityMatrix, invertGauge, spectralEntropy } from '@loragen/weight-space';
import { type Factors, matmul, product } from './helpers/reference';
import { gauge, randomFactors, rng, withSpectrum } from './helpers/random';
import { disposeFactors, toFactors } from './helpers/tensors';

describeEachBackend('analysis tools', () => {
  it('spectral entropy: 0 for rank one, ln r for r equal singular values, the formula otherwise', async () => {
    const rand = rng(1);
    const cases: [Factors, number][] = [
      [withSpectrum(rand, 8, 6, [3, 0, 0]), 0],
      [withSpectrum(rand, 8, 6, [2, 2, 2]), Math.log(3)],
      [withSpectrum(rand, 8, 6, [3, 1, 0]), -(0.75 * Math.log(0.75) + 0.25 * Math.log(0.25))],
    ];
    for (const [f, expected] of cases) {
      const t = toFactors(f);
      expectClose(await spectralEntropy(t).data(), expected, { rtol: 1e-4, atol: 1e-5 });
      disposeFactors(t);
    }
    const energy = toFactors(withSpectrum(rand, 8, 6, [3, 1, 0]));
    const p = [0.9, 0.1];
    expectClose(await spectralEntropy(energy, { distribution: 'energy' }).data(), -(p[0] * Math.log(p[0]) + p[1] * Math.log(p[1])), { rtol: 1e-4 });
    disposeFactors(energy);
  });

  it('cosine similarity on dW ignores a gauge; on flattened factors it does not', async () => {
    const rand = rng(2);
    const base = randomFactors(rand, 10, 8, 3);
    const g = gauge(rand, 3, 30);
    const moved: Factors = { A: matmul(g.inverse, base.A), B: matmul(base.B, g.R) };
    const other = randomFactors(rand, 10, 8, 3);
    const adapters = [base, moved, other].map(toFactors);
    const dW = (await cosineSimilarityMatrix(adapters).array()) as number[][];
    const factors = (await cosineSimilarityMatrix(adapters, { space: 'factors' }).array()) as number[][];
    expectClose(dW[0][1], 1, { rtol: 1e-4 });
    expectClose([dW[0][0], dW[1][1], dW[2][2]], [1, 1, 1], { rtol: 1e-5 });
    expect(factors[0][1]).toBeLessThan(0.9);
    const pDense = product(base);
    const oDense = product(other);
    const dot = (x: number[][], y: number[][]) => x.flat().reduce((s, v, i) => s + v * y.flat()[i], 0);
    expectClose(dW[0][2], dot(pDense, oDense) / Math.sqrt(dot(pDense, pDense) * dot(oDense, oDense)), { rtol: 1e-4 });
    adapters.forEach(disposeFactors);
  });

  it('invertGauge inverts a cond-1e3 gauge; applyGauge keeps B A', async () => {
    const rand = rng(3);
    const g = gauge(rand, 4, 1e3);
    const inv = (await invertGauge(tf.tensor2d(g.R)).array()) as number[][];
    expectClose(inv.flat(), g.inverse.flat(), { rtol: 1e-2, atol: 1e-3 * Math.max(...g.inverse.flat().map(Math.abs)) });
    const f = randomFactors(rand, 6, 5, 4);
    const moved = applyGauge(toFactors(f), tf.tensor2d(gauge(rand, 4, 10).R));
    expectClose(await tf.matMul(moved.B, moved.A).data(), product(f).flat(), { rtol: 1e-4, atol: 1e-4 });
  });

  it('balancedFactors keeps B A and makes B^T B = A A^T diagonal and descending', async () => {
    const f = randomFactors(rng(4), 9, 7, 3);
    const balanced = balancedFactors(toFactors(f));
    expectClose(await tf.matMul(balanced.B, balanced.A).data(), product(f).flat(), { rtol: 1e-4, atol: 1e-4 });
    const gb = (await tf.matMul(balanced.B, balanced.B, true, false).array()) as number[][];
    const ga = (await tf.matMul(balanced.A, balanced.A, false, true).array()) as number[][];
    expectClose(gb.flat(), ga.flat(), { rtol: 1e-3, atol: 1e-3 * gb[0][0] });
    expect(Math.abs(gb[0][1]) + Math.abs(gb[0][2]) + Math.abs(gb[1][2])).toBeLessThan(1e-3 * gb[0][0]);
    expect(gb[0][0]).toBeGreaterThan(gb[1][1]);
    expect(gb[1][1]).toBeGreaterThan(gb[2][2]);
  });
});
