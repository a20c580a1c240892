// The paper's observation 1 as a property: losses on dW ignore the gauge (B R, R^-1 A), an element-wise loss on
// A and B does not. Gauges are built and applied in float64, with condition numbers up to 1e3.
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { describeEachStrategy } from './helpers/strategies';
import { describeEachBackend } from '@loragen/test-utils';
import { angularLoss, prepareTarget, spectralLoss } from '@loragen/weight-space';
import { type Factors, matmul } from './helpers/reference';
import { gauge, randomFactors, rng } from './helpers/random';
import { disposeFactors, toFactors } from './helpers/tensors';

const regauge = (f: Factors, g: ReturnType<typeof gauge>): Factors => ({ A: matmul(g.inverse, f.A), B: matmul(f.B, g.R) });
/** A prediction close to the target (cos about 0.9), where a relative error in the angular loss is most visible. */
const nearby = (t: Factors, noise: Factors): Factors => ({
  A: t.A.map((row, i) => row.map((v, j) => v + 0.3 * noise.A[i][j])),
  B: t.B.map((row, i) => row.map((v, j) => v + 0.3 * noise.B[i][j])),
});

async function scalar(t: tf.Tensor): Promise<number> {
  const v = (await t.data())[0];
  t.dispose();
  return v;
}
const relChange = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
function mse(x: number[][], y: number[][]): number {
  const [a, b] = [x.flat(), y.flat()];
  return a.reduce((s, v, i) => s + (v - b[i]) ** 2, 0) / a.length;
}
/** The element-wise loss on the factors the paper contrasts with, in float64: MSE of A plus MSE of B. */
const factorMse = (p: Factors, t: Factors) => mse(p.A, t.A) + mse(p.B, t.B);

describeEachBackend('gauge invariance (property)', (backend) =>
  describeEachStrategy(backend, () => {
    it('angular and spectral losses change < 1e-3 relative under gauges with cond <= 1e3; factor MSE changes', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1, max: 2 ** 31 - 1 }),
          fc.double({ min: 0, max: 3, noNaN: true }),
          fc.constantFrom<'pred' | 'target'>('pred', 'target'),
          async (seed, logCond, side) => {
            const rand = rng(seed);
            const [m, n, r] = [24, 20, 4];
            const target = randomFactors(rand, m, n, r);
            const pred = nearby(target, randomFactors(rand, m, n, r));
            const g = gauge(rand, r, 10 ** logCond);
            const move = (gi: ReturnType<typeof gauge>) =>
              side === 'pred' ? { pred: regauge(pred, gi), target } : { pred, target: regauge(target, gi) };
            const moved = move(g);
            const values = async (p: Factors, t: Factors) => {
              const [pt, tt] = [toFactors(p), toFactors(t)];
              const prepared = prepareTarget(tt);
              const out = {
                angular: await scalar(angularLoss(pt, prepared)),
                spectral: await scalar(spectralLoss(pt, prepared)),
              };
              prepared.dispose();
              disposeFactors(pt);
              disposeFactors(tt);
              return out;
            };
            const before = await values(pred, target);
            const after = await values(moved.pred, moved.target);
            expect(relChange(after.angular, before.angular)).toBeLessThan(1e-3);
            expect(relChange(after.spectral, before.spectral)).toBeLessThan(1e-3);
            // The contrast, on every run: a gauge with cond in [10, 1e3] (its own, drawn after g) moves the factor MSE.
            const far = move(gauge(rand, r, 10 ** (1 + (2 * logCond) / 3)));
            expect(relChange(factorMse(far.pred, far.target), factorMse(pred, target))).toBeGreaterThan(0.1);
          },
        ),
        { numRuns: 25, seed: 4242 },
      );
    });
  }),
);
