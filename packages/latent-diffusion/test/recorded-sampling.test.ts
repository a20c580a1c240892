import * as tf from '@tensorflow/tfjs';
import { describeEachBackend, expectClose, expectNoLeaks } from '@loragen/test-utils';
import { createSchedule, DiT, SeededRng, sample, type SampleOptions, type SamplerKind } from '../src';
import { perturb } from './helpers/perturb';

const small = { tokens: 5, channels: 3, width: 16, depth: 2, heads: 4, condDim: 6, timeFeatures: 8 };
const tol = { rtol: 1e-4, atol: 2e-5 };
const schedule = createSchedule({ kind: 'linear', timesteps: 200 });

async function read(t: tf.Tensor): Promise<number[]> {
  const v = Array.from(await t.data());
  t.dispose();
  return v;
}

describeEachBackend('sample: the whole run at once (a recorded command buffer on webgpu) equals predict step by step', () => {
  const model = new DiT(small);
  perturb(model, 7);
  const cond = tf.tensor(new SeededRng(2).normals(12), [2, 6]);
  afterAll(() => {
    cond.dispose();
    model.dispose();
  });
  // the reference: a bare denoiser function, evaluated one `predict` a step (no prepared plan, no sampleLoop)
  const stepByStep = (xt: tf.Tensor, t: tf.Tensor, c: tf.Tensor | null) => model.predict(xt, t, c);

  test.each([
    ['dpmpp-2m', 2, {}],
    ['dpmpp-2m', 1, { prediction: 'epsilon' }],
    ['ddim', 3, { clipX0: 1.5 }],
    ['ddim', 2, { eta: 0.7 }],
    ['ddpm', 2, {}],
  ] as [SamplerKind, number, Partial<SampleOptions>][])('%s, guidance %d, %o', async (sampler, guidanceScale, extra) => {
    const options = { shape: [2, 5, 3], schedule, sampler, steps: 6, cond, guidanceScale, seed: 9, ...extra };
    const expected = await read(await sample({ ...options, denoiser: stepByStep }));
    const denoiser = model.asDenoiser();
    let offered = false;
    denoiser.prepare = (plan) => {
      const prepared = model.prepare(plan);
      offered = prepared.sampleLoop !== undefined;
      const loop = prepared.sampleLoop!;
      // on webgpu the loop runs (it returns a tensor); elsewhere it declines (null) and `sample` steps as usual
      prepared.sampleLoop = (l) => {
        const out = loop(l);
        expect(out !== null).toBe(tf.getBackend() === 'webgpu');
        return out;
      };
      return prepared;
    };
    expectClose(await read(await sample({ ...options, denoiser })), expected, tol);
    expect(offered).toBe(true);
  });

  test('a recorded run leaves no tensors behind', async () => {
    const denoiser = model.asDenoiser();
    const options = { denoiser, shape: [2, 5, 3], schedule, sampler: 'dpmpp-2m' as const, steps: 4, cond, guidanceScale: 2, seed: 1 };
    (await sample(options)).dispose(); // compiles the pipelines
    await expectNoLeaks(async () => (await sample(options)).dispose());
  });
});
