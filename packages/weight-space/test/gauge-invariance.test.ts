// The paper's observation 1 as a property: losses on dW ignore the gauge (B R, R^-1 A), an element-wise loss on
// A and B does not. Gauges are built and applied in float64, with condition numbers up to 1e3.
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { describeEachStrategy } from './support/strategies';
import { describeEachBackend } from '@loragen/test-utils';
import { angularLoss, prepareTarget, spectralLoss } from '@loragen/weight-space';
import { type Factors, matmul } from './support/reference';
import { gauge, randomFactors, rng } from './support/random';
import { disposeFactors, toFactors } from './support/tensors';

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

describeEachBackend('gauge invariance (property)', (backend) => describeEachStrategy(backend, () => {
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
          const moved = side === 'pred' ? { pred: regauge(pred, g), target } : { pred, target: regauge(target, g) };
          const values = async (p: Factors, t: Factors) => {
            const [pt, tt] = [toFactors(p), toFactors(t)];
            const prepared = prepareTarget(tt);
            const out = {
              angular: await scalar(angularLoss(pt, prepared)),
              spectral: await scalar(spectralLoss(pt, prepared)),
              factorMse: await scalar(tf.add(tf.losses.meanSquaredError(tt.A, pt.A), tf.losses.meanSquaredError(tt.B, pt.B))),
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
          if (logCond > 1) expect(relChange(after.factorMse, before.factorMse)).toBeGreaterThan(0.1);
        },
      ),
      { numRuns: 25, seed: 4242 },
    );
  });
}));
