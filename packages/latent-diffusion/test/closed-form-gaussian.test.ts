// The package's closed-form Gaussian denoiser and moment metric (exported for users checking their own samplers),
// against hand-worked values and against the test oracle, which is derived independently in helpers/gaussian-oracle.
import * as tf from '@tensorflow/tfjs';
import { describeEachBackend, expectClose } from '@loragen/test-utils';
import { closedFormGaussianDenoiser, createSchedule, gaussianMomentErrors, type GaussianData } from '../src';
import { gaussianData, gaussianOracle } from './helpers/gaussian-oracle';

// abar = 0.64: a = 0.8, s = 0.6. Dimension 0: mu 1, sigma 0.5, var(x_t) = 0.64 * 0.25 + 0.36 = 0.52.
// Dimension 1: mu -2, sigma 1, var(x_t) = 1. Row 0 sits at x_t = a mu (eps = 0, x0 = mu, v = -s mu); row 1 at
// x_t - a mu = 0.52 and 1: E[x0] = 1.2 and -1.2, E[eps] = 0.6 and 0.6, v = 0.8 * 0.6 - 0.6 * E[x0] = -0.24 and 1.2.
const HAND: GaussianData = { mu: [1, -2], sigma: [0.5, 1] };
const HAND_SCHEDULE = { timesteps: 1, alphasCumprod: Float32Array.of(0.64), alphasCumprod64: Float64Array.of(0.64) };
const XT = [
  [0.8, -1.6],
  [1.32, -0.6],
];
const HAND_V = [
  [-0.6, 1.2],
  [-0.24, 1.2],
];
const HAND_EPS = [
  [0, 0],
  [0.6, 0.6],
];

async function predict(denoiser: ReturnType<typeof closedFormGaussianDenoiser>, xt: number[][], t: number[]): Promise<number[][]> {
  const [x, steps] = [tf.tensor2d(xt), tf.tensor1d(t, 'int32')];
  const out = denoiser(x, steps, null);
  const values = (await out.array()) as number[][];
  tf.dispose([x, steps, out]);
  return values;
}

describeEachBackend('closedFormGaussianDenoiser', () => {
  it('gives the hand-worked v and epsilon, and so does the test oracle', async () => {
    for (const [prediction, expected] of [
      ['v', HAND_V],
      ['epsilon', HAND_EPS],
    ] as const) {
      const exported = closedFormGaussianDenoiser(HAND, HAND_SCHEDULE, prediction);
      const oracle = gaussianOracle(HAND, HAND_SCHEDULE, prediction);
      expectClose(await predict(exported, XT, [0, 0]), expected, { rtol: 1e-6, atol: 1e-6 });
      expectClose(await predict(oracle, XT, [0, 0]), expected, { rtol: 1e-6, atol: 1e-6 });
      exported.dispose();
      oracle.dispose();
    }
  });

  it('agrees with the test oracle over a whole schedule, zero terminal SNR included', async () => {
    const data = gaussianData(8);
    const schedule = createSchedule({ kind: 'linear', timesteps: 1000, rescaleZeroTerminalSnr: true });
    const t = [0, 1, 250, 500, 998, 999];
    const xt = t.map((_, i) => data.mu.map((mu, d) => mu + Math.sin(3 * i + d)));
    for (const prediction of ['v', 'epsilon'] as const) {
      const exported = closedFormGaussianDenoiser(data, schedule, prediction);
      const oracle = gaussianOracle(data, schedule, prediction);
      expectClose(await predict(exported, xt, t), await predict(oracle, xt, t), { rtol: 1e-5, atol: 1e-6 });
      exported.dispose();
      oracle.dispose();
    }
  });
});

describe('gaussianMomentErrors', () => {
  it('gives the hand-worked worst mean and std errors', async () => {
    // dimension 0: samples 0 and 2 around mu 1, sigma 1: mean error 0, sample std sqrt(2), relative error 0.414;
    // dimension 1: samples 1 and 3 around mu 1, sigma 2: mean error 1 / 2, relative std error (2 - sqrt(2)) / 2.
    const samples = tf.tensor2d([
      [0, 1],
      [2, 3],
    ]);
    const errors = await gaussianMomentErrors(samples, { mu: [1, 1], sigma: [1, 2] });
    samples.dispose();
    expectClose([errors.meanErrorInSigma, errors.stdRelativeError], [0.5, Math.SQRT2 - 1], { rtol: 1e-6 });
  });
});
