import * as tf from '@tensorflow/tfjs';
import { describeEachBackend, expectClose, expectNoLeaks } from '@loragen/test-utils';
import { createSchedule, DiT, fusedSamplingActive, SeededRng, LatentDiffusionError, sample, type Denoiser, type SamplingPlan } from '../src';
import { perturb } from './helpers/perturb';

const small = { tokens: 5, channels: 3, width: 16, depth: 2, heads: 4, condDim: 6, timeFeatures: 8 };
const tol = { rtol: 1e-4, atol: 1e-5 };

async function read(t: tf.Tensor): Promise<number[]> {
  const v = Array.from(await t.data());
  t.dispose();
  return v;
}

const normals = (seed: number, shape: number[]) => tf.tensor(new SeededRng(seed).normals(shape.reduce((a, b) => a * b, 1)), shape);

describeEachBackend('DiT.prepare: precomputed conditioning equals per-step predict', () => {
  test.each([
    ['a vector condition', false, [2, 6]],
    ['condition tokens with cross-attention', true, [2, 4, 6]],
  ] as const)('with %s, alone and stacked with the null condition', async (_name, crossAttention, condShape) => {
    const model = new DiT({ ...small, crossAttention });
    perturb(model, 11);
    const cond = normals(3, [...condShape]);
    const timesteps = [90, 41, 7, 0];
    for (const conditions of [[cond], [cond, null], [null]]) {
      const prepared = model.prepare({ timesteps, batch: 2, conditions });
      for (let step = 0; step < timesteps.length; step++) {
        const xt = normals(step, [2 * conditions.length, 5, 3]);
        const t = tf.fill([2], timesteps[step], 'int32');
        // The reference: one ordinary predict per condition on its own rows.
        const parts = tf.split(xt, conditions.length, 0);
        const expected = (await Promise.all(parts.map((x, i) => read(model.predict(x, t, conditions[i]))))).flat();
        expectClose(await read(prepared.predict(xt, step)), expected, tol);
        tf.dispose([xt, t, ...parts]);
      }
      prepared.dispose();
    }
    cond.dispose();
    model.dispose();
  });

  test('predictGuided equals uncond + scale (cond - uncond) of predict on the batch read twice (fused kernels on webgpu)', async () => {
    expect(fusedSamplingActive()).toBe(tf.getBackend() === 'webgpu');
    const model = new DiT(small);
    perturb(model, 5);
    const cond = normals(4, [3, 6]);
    const prepared = model.prepare({ timesteps: [50, 20, 3], batch: 3, conditions: [cond, null] });
    for (let step = 0; step < 3; step++) {
      const xt = normals(10 + step, [3, 5, 3]);
      const [c, u] = tf.split(prepared.predict(tf.concat([xt, xt], 0), step), 2, 0);
      const expected = await read(tf.add(u, tf.mul(tf.sub(c, u), 2.5)));
      expectClose(await read(prepared.predictGuided!(xt, step, 2.5)), expected, tol);
      tf.dispose([xt, c, u]);
    }
    prepared.dispose();
    cond.dispose();
    model.dispose();
  });

  test('prepare + predict + dispose leaves no tensors; wrong batch, step or token counts are typed errors', async () => {
    const model = new DiT(small);
    const cond = normals(1, [1, 6]);
    const xt = normals(2, [2, 5, 3]);
    await expectNoLeaks(() => {
      const prepared = model.prepare({ timesteps: [9, 3], batch: 1, conditions: [cond, null] });
      prepared.predict(xt, 1).dispose();
      prepared.dispose();
    });
    const prepared = model.prepare({ timesteps: [9, 3], batch: 1, conditions: [cond, null] });
    expect(() => prepared.predict(tf.zeros([1, 5, 3]), 0)).toThrow(LatentDiffusionError);
    expect(() => prepared.predict(tf.zeros([1, 5, 3]), 0)).toThrow(/xt must be \[2, 5, 3\]/);
    expect(() => prepared.predict(xt, 2)).toThrow(/step must be an integer in \[0, 2\), got 2/);
    const tokens = new DiT({ ...small, crossAttention: true });
    const [three, four] = [tf.zeros([1, 3, 6]), tf.zeros([1, 4, 6])];
    expect(() => tokens.prepare({ timesteps: [1], batch: 1, conditions: [three, four] })).toThrow(/3,4 tokens/);
    tf.dispose([three, four]);
    tokens.dispose();
    prepared.dispose();
    tf.dispose([cond, xt]);
    model.dispose();
  });
});

describeEachBackend('sample with a prepared denoiser', () => {
  const schedule = createSchedule({ kind: 'linear', timesteps: 100, betaStart: 1e-3, betaEnd: 0.1 });

  test.each([
    ['ddpm', 1],
    ['ddim', 2.5],
    ['dpmpp-2m', 1],
    ['dpmpp-2m', 2.5],
  ] as const)('%s, guidance %d: same samples as evaluating predict at every step', async (sampler, guidanceScale) => {
    const model = new DiT({ ...small, crossAttention: true });
    perturb(model, 12, 0.15);
    const cond = normals(5, [2, 3, 6]);
    const opts = { shape: [2, 5, 3], schedule, sampler, steps: 6, cond, guidanceScale, eta: 0.5, seed: 4 };
    const perStep: Denoiser = (xt, t, c) => model.predict(xt, t, c); // no `prepare`: the per-step path
    const reference = await read(await sample({ ...opts, denoiser: perStep }));
    expectClose(await read(await sample({ ...opts, denoiser: model.asDenoiser() })), reference, tol);
    cond.dispose();
    model.dispose();
  });

  test('prepare gets the run: its timesteps, the batch, and [cond, null] under guidance; step i is timestep i', async () => {
    // A denoiser whose prediction reveals t and the branch: xt * 0.01 t + (cond or -1); t a tensor [batch] or a number.
    const plain = (xt: tf.Tensor, t: tf.Tensor | number, cond: tf.Tensor | null) =>
      tf.tidy(() => {
        const factor = typeof t === 'number' ? 0.01 * t : tf.reshape(tf.mul(tf.cast(t, 'float32'), 0.01), [-1, 1]);
        return tf.add(tf.mul(xt, factor), cond ?? -1);
      });
    const plans: SamplingPlan[] = [];
    const denoiser: Denoiser = (xt, t, cond) => plain(xt, t, cond);
    denoiser.prepare = (plan) => {
      plans.push(plan);
      return {
        predict: (xt, step) =>
          tf.tidy(() => {
            const rows = tf.split(xt, plan.conditions.length, 0);
            return tf.concat(
              rows.map((x, i) => plain(x, plan.timesteps[step], plan.conditions[i])),
              0,
            );
          }),
        dispose: () => {},
      };
    };
    const cond = normals(6, [3, 4]);
    const opts = { shape: [3, 4], schedule, sampler: 'ddim' as const, steps: 5, cond, guidanceScale: 2, seed: 8 };
    const prepared = await read(await sample({ ...opts, denoiser }));
    const perStep = await read(await sample({ ...opts, denoiser: (xt, t, c) => denoiser(xt, t, c) }));
    expectClose(prepared, perStep, { rtol: 1e-6, atol: 1e-6 });
    expect(plans).toHaveLength(1);
    expect(plans[0].batch).toBe(3);
    expect(plans[0].conditions).toEqual([cond, null]);
    expect(plans[0].timesteps[0]).toBe(99);
    expect(plans[0].timesteps).toHaveLength(5);
    await sample({ ...opts, guidanceScale: 1, denoiser }).then((x) => x.dispose());
    expect(plans[1].conditions).toEqual([cond]);
    cond.dispose();
  });
});
