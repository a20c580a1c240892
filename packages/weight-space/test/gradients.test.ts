// Values against a float64 plain-JS reference and gradients against its central finite differences, on random
// cases, rank-deficient targets, repeated singular values and zero singular values.
import * as tf from '@tensorflow/tfjs';
import { describeEachStrategy } from './helpers/strategies';
import { describeEachBackend, expectClose } from '@loragen/test-utils';
import { adapterLoss, angularLoss, spectralLoss, type SpectralLossOptions } from '@loragen/weight-space';
import { type Factors, angular, numericGradient, spectral, type SpectralRef } from './helpers/reference';
import { randomFactors, rng, withSpectrum } from './helpers/random';
import { disposeFactors, flat, gradientTolerance, toFactors, valueAndGrads } from './helpers/tensors';

interface Case {
  name: string;
  pred: Factors;
  target: Factors;
  spectral: SpectralRef;
}

const rand = rng(7);
const cases: Case[] = [
  {
    name: 'random, ranks 4 vs 3, energy k and weights',
    pred: randomFactors(rand, 12, 10, 4),
    target: randomFactors(rand, 12, 10, 3),
    spectral: { k: 'energy' },
  },
  {
    name: 'rank-deficient target (r = 4, rank 2), uniform weights, p = 2',
    pred: randomFactors(rand, 9, 11, 3),
    target: withSpectrum(rand, 9, 11, [5, 2, 0, 0]),
    spectral: { k: 3, weights: 'uniform', p: 2 },
  },
  {
    name: 'repeated singular values in prediction and target',
    pred: withSpectrum(rand, 10, 8, [2, 2, 2, 0.5]),
    target: withSpectrum(rand, 10, 8, [3, 3, 3, 1]),
    spectral: { k: 3, weights: 'uniform' },
  },
  {
    name: 'energy ratio 0.6 with p = 3',
    pred: randomFactors(rand, 7, 13, 5),
    target: withSpectrum(rand, 7, 13, [4, 3, 1, 0.5, 0.1]),
    spectral: { k: 'energy', energyRatio: 0.6, p: 3 },
  },
];

describeEachBackend('losses vs a float64 reference and its finite differences', (backend) =>
  describeEachStrategy(backend, () => {
    for (const c of cases) {
      describe(c.name, () => {
        let target: { A: tf.Tensor; B: tf.Tensor };
        beforeAll(() => {
          target = toFactors(c.target);
        });
        afterAll(() => disposeFactors(target));

        it('angular loss: value 1e-5, gradient 1e-3', async () => {
          const got = await valueAndGrads((p) => angularLoss(p, target), c.pred);
          expectClose(got.value, angular(c.pred, c.target), { rtol: 1e-5 });
          const fd = numericGradient((p) => angular(p, c.target), c.pred);
          expectClose(got.gradA, flat(fd.A), gradientTolerance(flat(fd.A)));
          expectClose(got.gradB, flat(fd.B), gradientTolerance(flat(fd.B)));
        });

        it('spectral loss: value 1e-5, gradient 1e-3', async () => {
          const got = await valueAndGrads((p) => spectralLoss(p, target, c.spectral as SpectralLossOptions), c.pred);
          expectClose(got.value, spectral(c.pred, c.target, c.spectral), { rtol: 1e-5 });
          const fd = numericGradient((p) => spectral(p, c.target, c.spectral), c.pred);
          expectClose(got.gradA, flat(fd.A), gradientTolerance(flat(fd.A)));
          expectClose(got.gradB, flat(fd.B), gradientTolerance(flat(fd.B)));
        });

        it('adapterLoss = w_ang angular + w_spec spectral, with its gradient', async () => {
          const opts = { angularWeight: 0.7, spectralWeight: 1.5, spectral: c.spectral as SpectralLossOptions };
          const ref = (p: Factors) => 0.7 * angular(p, c.target) + 1.5 * spectral(p, c.target, c.spectral);
          const got = await valueAndGrads((p) => adapterLoss(p, target, opts), c.pred);
          expectClose(got.value, ref(c.pred), { rtol: 1e-5 });
          const fd = numericGradient(ref, c.pred);
          expectClose(got.gradA, flat(fd.A), gradientTolerance(flat(fd.A)));
          expectClose(got.gradB, flat(fd.B), gradientTolerance(flat(fd.B)));
        });
      });
    }

    it('zero singular values in the prediction and an all-zero prediction give finite gradients', async () => {
      const r = rng(3);
      const target = toFactors(randomFactors(r, 8, 6, 3));
      const rankOne = withSpectrum(r, 8, 6, [2, 0, 0]);
      const zero: Factors = { A: rankOne.A.map((row) => row.map(() => 0)), B: rankOne.B.map((row) => row.map(() => 0)) };
      for (const pred of [rankOne, zero]) {
        for (const loss of [
          (p: { A: tf.Tensor; B: tf.Tensor }) => adapterLoss(p, target),
          (p: { A: tf.Tensor; B: tf.Tensor }) => spectralLoss(p, target, { k: 3, p: 2 }),
          (p: { A: tf.Tensor; B: tf.Tensor }) => angularLoss(p, target),
        ]) {
          const got = await valueAndGrads(loss, pred);
          expect([got.value, ...got.gradA, ...got.gradB].every(Number.isFinite)).toBe(true);
        }
      }
      disposeFactors(target);
    });
  }),
);
