import { resolveConfig } from '../src';
import { scheduledLearningRate } from '../src/training/learning-rate';

const schedule = (over: object) => ({ warmupSteps: 0, decay: 'constant' as const, minFactor: 0.05, ...over });

it("is constant by default (the paper's)", () => {
  const c = resolveConfig({});
  expect(c.autoencoder.learningRateSchedule).toEqual({ warmupSteps: 0, decay: 'constant', minFactor: 0.05 });
  expect([0, 10, 999].map((s) => scheduledLearningRate(1e-3, s, 1000, c.autoencoder.learningRateSchedule))).toEqual([1e-3, 1e-3, 1e-3]);
});

it('warms up linearly, then decays along a half cosine to minFactor at the last step', () => {
  const s = schedule({ warmupSteps: 10, decay: 'cosine', minFactor: 0.1 });
  expect(scheduledLearningRate(2, 0, 110, s)).toBeCloseTo(0.2, 12);
  expect(scheduledLearningRate(2, 9, 110, s)).toBeCloseTo(2, 12);
  expect(scheduledLearningRate(2, 10, 110, s)).toBeCloseTo(2, 12);
  // halfway through the decay: the mean of peak and floor
  expect(scheduledLearningRate(2, 10 + 49.5, 110, s)).toBeCloseTo((2 + 0.2) / 2, 12);
  expect(scheduledLearningRate(2, 109, 110, s)).toBeCloseTo(0.2, 12);
  // monotone after the warm-up
  const rates = Array.from({ length: 100 }, (_, i) => scheduledLearningRate(2, 10 + i, 110, s));
  rates.slice(1).forEach((r, i) => expect(r).toBeLessThanOrEqual(rates[i]));
});
