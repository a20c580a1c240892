// The stage-by-stage API (encode, sampleLatents, decode) and batched generation, against generate itself.
import * as tf from '@tensorflow/tfjs';
import { ConfigError, LibraryError, LoraGen, lowRankCosineFloat64 } from '../src';
import { syntheticLibrary } from './helpers/synthetic-library';
import { TINY_CONFIG } from './helpers/tiny-config';

const { tasks } = syntheticLibrary();
let gen: LoraGen;

beforeAll(async () => {
  await tf.setBackend('cpu');
  gen = await LoraGen.fit(tasks, {
    ...TINY_CONFIG,
    autoencoder: { ...TINY_CONFIG.autoencoder, steps: 150 },
    diffusion: { ...TINY_CONFIG.diffusion, steps: 60 },
  });
}, 120_000);

afterAll(() => gen.dispose());

it('generate is decode(sampleLatents(...)) for the same seed', async () => {
  const latents = await gen.sampleLatents('brief sentiment task', { seed: 4, steps: 5 });
  expect(latents.shape).toEqual([1, gen.positions, 8]);
  const [viaParts] = await gen.decode(latents);
  latents.dispose();
  const direct = await gen.generate('brief sentiment task', { seed: 4, steps: 5 });
  direct.modules.forEach((m, i) => {
    expect(Array.from(m.A)).toEqual(Array.from(viaParts.modules[i].A));
    expect(Array.from(m.B)).toEqual(Array.from(viaParts.modules[i].B));
  });
});

it('a batch of descriptions gives one adapter each, and count samples per description', async () => {
  const descriptions = ['brief sentiment task', 'detailed arithmetic task'];
  const batch = await gen.generate(descriptions, { seed: 2, steps: 5, guidanceScale: 1 });
  expect(batch).toHaveLength(2);
  // the condition rows differ, so the two samples must too
  expect(lowRankCosineFloat64(batch[0].modules[0], batch[1].modules[0])).toBeLessThan(0.999);
  const latents = await gen.sampleLatents(descriptions, { seed: 2, steps: 5, guidanceScale: 1, count: 3 });
  expect(latents.shape[0]).toBe(6);
  latents.dispose();
});

it("encode then decode reproduces a library adapter's updates (the round trip the ledger measures)", async () => {
  const z = await gen.encode(tasks.map((t) => t.adapter));
  expect(z.shape).toEqual([tasks.length, gen.positions, 8]);
  const decoded = await gen.decode(z);
  z.dispose();
  const cosines = decoded.flatMap((adapter, i) => adapter.modules.map((m, j) => lowRankCosineFloat64(m, tasks[i].adapter.modules[j])));
  // 150 autoencoder steps on 6 tasks: a rough but clearly task-specific reconstruction
  expect(Math.min(...cosines)).toBeGreaterThan(0.5);
  // and each decoded adapter is nearer its own task's update than any other task's
  decoded.forEach((adapter, i) => {
    const sims = tasks.map((t) => lowRankCosineFloat64(adapter.modules[0], t.adapter.modules[0]));
    expect(sims.indexOf(Math.max(...sims))).toBe(i);
  });
});

it('refuses latents of the wrong shape and adapters of another layout', async () => {
  const wrong = tf.zeros([1, gen.positions, 5]) as tf.Tensor3D;
  await expect(gen.decode(wrong)).rejects.toThrow(ConfigError);
  wrong.dispose();
  const other = syntheticLibrary({ dIn: 8 }).tasks[0].adapter;
  await expect(gen.encode([other])).rejects.toThrow(LibraryError);
});

it('leaks no tensors', async () => {
  const before = tf.memory().numTensors;
  const z = await gen.encode([tasks[0].adapter]);
  await gen.decode(z);
  z.dispose();
  (await gen.sampleLatents(['brief sentiment task', 'detailed arithmetic task'], { steps: 3 })).dispose();
  expect(tf.memory().numTensors).toBe(before);
});
