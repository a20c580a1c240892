import * as tf from '@tensorflow/tfjs';
import { describeEachBackend, expectClose, expectNoLeaks } from '@loragen/test-utils';
import { createSchedule, LatentDiffusionError, LatentNormalizer, sample, SamplingAbortedError, type Denoiser, type SampleProgress } from '../src';
import { gaussianData, gaussianOracle } from './helpers/gaussian-oracle';

const schedule = createSchedule({ kind: 'linear', timesteps: 100, betaStart: 1e-3, betaEnd: 0.1 });
const shape: [number, number] = [16, 4];
const data = gaussianData(4);

async function values(t: tf.Tensor): Promise<Float32Array> {
  const v = (await t.data()) as Float32Array;
  t.dispose();
  return v;
}

describeEachBackend('sample: seeds, guidance, normaliser, clipping, progress, cancellation', () => {
  let oracle: ReturnType<typeof gaussianOracle>;
  beforeAll(() => {
    oracle = gaussianOracle(data, schedule, 'v');
  });
  afterAll(() => oracle.dispose());

  test('the same seed reproduces a stochastic sampler exactly; another seed does not', async () => {
    const run = (seed: number) => sample({ denoiser: oracle, shape, schedule, sampler: 'ddpm', seed }).then(values);
    const [a, b, c] = [await run(3), await run(3), await run(4)];
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
  });

  test('guidance mixes uncond + scale (cond - uncond): same result as a denoiser that does it by hand', async () => {
    const cond = tf.tensor2d(
      Array.from({ length: 16 * 4 }, (_, i) => Math.sin(i)),
      shape,
    );
    const base = (xt: tf.Tensor) => tf.mul(xt, 0.1);
    const denoiser: Denoiser = (xt, _t, c) => tf.tidy(() => (c === null ? base(xt) : tf.add(base(xt), c)));
    const byHand: Denoiser = (xt) => tf.tidy(() => tf.add(base(xt), tf.mul(cond, 3)));
    const opts = { shape, schedule, sampler: 'ddim', steps: 10, seed: 9 } as const;
    const guided = await values(await sample({ ...opts, denoiser, cond, guidanceScale: 3 }));
    const reference = await values(await sample({ ...opts, denoiser: byHand }));
    expectClose(guided, reference, { rtol: 1e-4, atol: 1e-4 });
    cond.dispose();
  });

  test('a normaliser is inverted on the way out', async () => {
    const opts = { denoiser: oracle, shape, schedule, sampler: 'dpmpp-2m', steps: 8, seed: 1 } as const;
    const plain = await values(await sample(opts));
    const normalizer = new LatentNormalizer({ shift: 2, scale: 3 });
    const out = await values(await sample({ ...opts, normalizer }));
    expectClose(
      out,
      Array.from(plain, (v) => 3 * v + 2),
      { rtol: 1e-6, atol: 1e-5 },
    );
  });

  test('clipX0 bounds the x0 estimates, hence deterministic samples', async () => {
    const far = gaussianOracle({ mu: [5, -5, 4, -4], sigma: [0.5, 0.5, 0.5, 0.5] }, schedule, 'v');
    const out = await values(await sample({ denoiser: far, shape, schedule, sampler: 'ddim', steps: 20, clipX0: 1, seed: 2 }));
    far.dispose();
    expect(Math.max(...Array.from(out, Math.abs))).toBeLessThanOrEqual(1 + 1e-6);
  });

  test('onProgress reports every step with decreasing timesteps', async () => {
    const seen: SampleProgress[] = [];
    const x = await sample({ denoiser: oracle, shape, schedule, sampler: 'ddim', steps: 7, onProgress: (p) => seen.push(p) });
    x.dispose();
    expect(seen.map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(seen.every((p) => p.totalSteps === 7)).toBe(true);
    expect(seen[0].t).toBe(99);
    expect(seen[6].t).toBe(0);
  });

  test('aborting rejects with an AbortError at the next step and frees everything', async () => {
    await expectNoLeaks(async () => {
      const controller = new AbortController();
      const run = sample({
        denoiser: oracle,
        shape,
        schedule,
        sampler: 'dpmpp-2m',
        steps: 10,
        signal: controller.signal,
        onProgress: (p) => p.step === 3 && controller.abort('user pressed stop'),
      });
      await expect(run).rejects.toBeInstanceOf(SamplingAbortedError);
      await expect(run).rejects.toMatchObject({ name: 'AbortError', step: 3 });
    });
  });

  test('an abort from a timer is seen between steps', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 5);
    await expect(sample({ denoiser: oracle, shape, schedule, sampler: 'ddpm', signal: controller.signal })).rejects.toThrow(/aborted at step/);
  });

  test('no tensors leak over 5 sampling runs (every sampler, with guidance)', async () => {
    const cond = tf.zeros(shape);
    await expectNoLeaks(async () => {
      for (const sampler of ['ddpm', 'ddim', 'dpmpp-2m', 'ddim', 'dpmpp-2m'] as const) {
        const x = await sample({ denoiser: oracle, shape, schedule, sampler, steps: 12, cond, guidanceScale: 2, eta: 0.5 });
        x.dispose();
      }
    });
    cond.dispose();
  });

  test('bad options fail with typed errors that say what to do', async () => {
    const zero = createSchedule({ kind: 'linear', timesteps: 100, rescaleZeroTerminalSnr: true });
    const cond = tf.zeros([3, 4]);
    await expect(sample({ denoiser: oracle, shape, schedule, sampler: 'ddim', cond })).rejects.toThrow(
      /cond has batch 3 but shape asks for batch 16/,
    );
    await expect(sample({ denoiser: oracle, shape, schedule: zero, sampler: 'ddim', prediction: 'epsilon' })).rejects.toThrow(/use v prediction/);
    await expect(sample({ denoiser: oracle, shape, schedule, sampler: 'euler' as 'ddim' })).rejects.toThrow(LatentDiffusionError);
    cond.dispose();
  });
});
