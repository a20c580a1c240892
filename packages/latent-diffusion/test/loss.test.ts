import * as tf from '@tensorflow/tfjs';
import { describeEachBackend, expectClose } from '@loragen/test-utils';
import { createSchedule, denoisingLoss, diffusionLoss, SeededRng, LatentDiffusionError, lossWeight, type ConditionalDenoiser } from '../src';

describe('lossWeight', () => {
  test('closed forms of the three weightings', () => {
    for (const snr of [0.01, 0.5, 3, 40]) {
      expect(lossWeight(snr, 'uniform', 'v')).toBe(1);
      expect(lossWeight(snr, 'snr-ratio', 'v')).toBeCloseTo(snr / (snr + 1), 12);
      expect(lossWeight(snr, 'min-snr', 'v', 5)).toBeCloseTo(Math.min(snr, 5) / (snr + 1), 12);
      expect(lossWeight(snr, 'min-snr', 'epsilon', 5)).toBeCloseTo(Math.min(snr, 5) / snr, 12);
    }
    expect(() => lossWeight(1, 'p2' as 'uniform', 'v')).toThrow(LatentDiffusionError);
  });

  test('min-SNR on the v or epsilon loss equals min(snr, gamma) times the implied x0 error', () => {
    // x0 = a x_t - s v = (x_t - s eps) / a, so a prediction error in v or eps maps to an x0 error exactly.
    const abar = 0.7;
    const a = Math.sqrt(abar);
    const s = Math.sqrt(1 - abar);
    const snr = abar / (1 - abar);
    const vError = 0.3;
    const x0ErrorFromV = s * vError;
    expect(lossWeight(snr, 'min-snr', 'v', 2) * vError ** 2).toBeCloseTo(Math.min(snr, 2) * x0ErrorFromV ** 2, 12);
    const epsError = 0.3;
    const x0ErrorFromEps = (s / a) * epsError;
    expect(lossWeight(snr, 'min-snr', 'epsilon', 2) * epsError ** 2).toBeCloseTo(Math.min(snr, 2) * x0ErrorFromEps ** 2, 12);
  });
});

/** A model that returns 0.5 x_t and keeps what it was given, so the test can recompute the loss by hand. */
function recordingModel() {
  const seen: { xt?: tf.Tensor; t?: tf.Tensor; keep?: tf.Tensor | null } = {};
  const model: ConditionalDenoiser = {
    predict(xt, t, _cond, keep) {
      seen.xt = tf.keep(tf.clone(xt));
      seen.t = tf.keep(tf.clone(t));
      seen.keep = keep ? tf.keep(tf.clone(keep)) : null;
      return tf.mul(xt, 0.5);
    },
  };
  return { model, seen };
}

describeEachBackend('diffusionLoss', () => {
  const schedule = createSchedule({ kind: 'linear', timesteps: 50, betaStart: 1e-3, betaEnd: 0.2 });
  const x0Values = Array.from({ length: 6 * 3 }, (_, i) => Math.cos(i) * 0.7);

  for (const [prediction, weighting] of [
    ['v', 'snr-ratio'],
    ['epsilon', 'min-snr'],
    ['v', 'uniform'],
  ] as const) {
    test(`${prediction} target, ${weighting} weighting: equals the loss recomputed by hand from x_t and t`, async () => {
      const { model, seen } = recordingModel();
      const x0 = tf.tensor2d(x0Values, [6, 3]);
      const loss = diffusionLoss({ model, x0, schedule, rng: new SeededRng(11), prediction, weighting, minSnrGamma: 3 });
      const got = (await loss.data())[0];
      const xt = await seen.xt!.data();
      const t = await seen.t!.data();
      let expected = 0;
      for (let b = 0; b < 6; b++) {
        const abar = schedule.alphasCumprod64[t[b]];
        const a = Math.sqrt(abar);
        const s = Math.sqrt(1 - abar);
        const snr = abar / (1 - abar);
        const w = weighting === 'uniform' ? 1 : weighting === 'snr-ratio' ? snr / (snr + 1) : Math.min(snr, 3) / snr;
        let sq = 0;
        for (let d = 0; d < 3; d++) {
          const i = b * 3 + d;
          const eps = (xt[i] - a * x0Values[i]) / s;
          const target = prediction === 'v' ? a * eps - s * x0Values[i] : eps;
          sq += (0.5 * xt[i] - target) ** 2 / 3;
        }
        expected += (w * sq) / 6;
      }
      expectClose(got, expected, { rtol: 1e-4, atol: 1e-6 });
      tf.dispose([x0, loss, seen.xt!, seen.t!]);
    });
  }

  test('timesteps cover 0..T-1 and condition dropout follows its probability', async () => {
    const { model, seen } = recordingModel();
    const x0 = tf.zeros([400, 2]);
    const cond = tf.ones([400, 5]);
    tf.dispose(diffusionLoss({ model, x0, cond, schedule, rng: new SeededRng(1), condDropout: 0.25 }));
    const t = Array.from(await seen.t!.data());
    const kept = Array.from(await seen.keep!.data());
    expect(Math.min(...t)).toBe(0);
    expect(Math.max(...t)).toBe(49);
    expect(kept.every((k) => k === 0 || k === 1)).toBe(true);
    const dropped = kept.filter((k) => k === 0).length / 400;
    expect(Math.abs(dropped - 0.25)).toBeLessThan(0.07); // binomial sd 0.022
    tf.dispose([x0, cond, seen.xt!, seen.t!, seen.keep!]);
    expect(() => diffusionLoss({ model, x0, schedule, rng: new SeededRng(1), condDropout: 2 })).toThrow(/condDropout must lie in \[0, 1\]/);
  });

  test('denoisingLoss with the draws diffusionLoss makes gives the same loss; bad draws are typed errors', async () => {
    const model: ConditionalDenoiser = { predict: (xt) => tf.mul(xt, 0.5) };
    const x0 = tf.tensor2d(x0Values, [6, 3]);
    const cond = tf.ones([6, 2]);
    const drawn = diffusionLoss({ model, x0, cond, schedule, rng: new SeededRng(5), weighting: 'min-snr', condDropout: 0.5 });
    const rng = new SeededRng(5);
    const t = Array.from({ length: 6 }, () => rng.int(50));
    const keep = Array.from({ length: 6 }, () => (rng.uniform() < 0.5 ? 0 : 1));
    const given = denoisingLoss({ model, x0, cond, schedule, t, keep, noise: rng.normals(18), weighting: 'min-snr' });
    expect((await given.data())[0]).toBe((await drawn.data())[0]);
    expect(() => denoisingLoss({ model, x0, schedule, t: [0, 1, 2, 3, 4, 50], noise: new Float32Array(18) })).toThrow(
      /integer timesteps in \[0, 50\)/,
    );
    expect(() => denoisingLoss({ model, x0, schedule, t: [0, 1, 2, 3, 4, 5], noise: new Float32Array(17) })).toThrow(LatentDiffusionError);
    expect(() => denoisingLoss({ model, x0, schedule, t: [0, 1, 2, 3, 4, 5], noise: new Float32Array(18), weighting: 'p2' as 'uniform' })).toThrow(
      /unknown weighting/,
    );
    tf.dispose([x0, cond, drawn, given]);
  });
});
