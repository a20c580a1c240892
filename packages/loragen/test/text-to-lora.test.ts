// The Text-to-LoRA baseline: it learns the synthetic library's updates from their descriptions, and fails cleanly.
import * as tf from '@tensorflow/tfjs';
import { AbortedError, lowRankCosineFloat64, NumericalError, TextEncoderError, TextToLora, type FitProgress } from '../src';
import { syntheticLibrary } from './helpers/synthetic-library';
import { TINY_CONFIG } from './helpers/tiny-config';

describe('TextToLora', () => {
  const { tasks, truth } = syntheticLibrary();
  let t2l: TextToLora;
  const progress: FitProgress[] = [];

  beforeAll(async () => {
    await tf.setBackend('cpu');
    t2l = await TextToLora.fit(tasks, TINY_CONFIG, { onProgress: (p) => progress.push(p) });
  });

  afterAll(() => t2l.dispose());

  it("reports its steps as the hypernetwork stage, with the autoencoder section's step count", () => {
    expect(progress).toHaveLength(250);
    expect(progress[249]).toMatchObject({ stage: 'hypernetwork', step: 250, totalSteps: 250 });
    expect(progress[249].loss).toBeLessThan(progress[0].loss / 2);
  });

  it("generates each task's update from a description it was trained on (cosine with the true dW)", async () => {
    const adapters = await t2l.generate(tasks.map((t) => t.descriptions[0]));
    const cosines = adapters.map((adapter, i) => {
      const exact = truth.get(tasks[i].name)!;
      return Math.min(...adapter.modules.map((m, j) => lowRankCosineFloat64(m, exact[j])));
    });
    // measured 2026-12-05 on cpu: worst module of the worst task 0.992 (LoRAGen on this library: e2e.test.ts)
    expect(Math.min(...cosines)).toBeGreaterThan(0.9);
    // with the library's module paths, rank and scaling
    adapters[0].modules.forEach((m, j) =>
      expect(m).toMatchObject({ name: tasks[0].adapter.modules[j].name, rank: 2, scaling: 2, dIn: 16, dOut: 16 }),
    );
  });

  it('takes a condition vector as well as a description, and gives one adapter for one', async () => {
    const row = (await t2l.textEncoder.embed([tasks[2].descriptions[1]])).arraySync()[0];
    const fromVector = await t2l.generate(row);
    const fromText = await t2l.generate(tasks[2].descriptions[1]);
    expect(fromVector.modules[0].B).toEqual(fromText.modules[0].B);
  });

  it('is repeatable: the same seed trains the same network', async () => {
    const again = await TextToLora.fit(tasks, { ...TINY_CONFIG, autoencoder: { ...TINY_CONFIG.autoencoder, steps: 20 } });
    const twice = await TextToLora.fit(tasks, { ...TINY_CONFIG, autoencoder: { ...TINY_CONFIG.autoencoder, steps: 20 } });
    try {
      expect((await again.generate('brief sentiment task')).modules[1].A).toEqual((await twice.generate('brief sentiment task')).modules[1].A);
    } finally {
      again.dispose();
      twice.dispose();
    }
  });

  it('refuses no description, a vector of the wrong width, and stops when aborted or when the loss is not finite', async () => {
    await expect(t2l.generate([] as string[])).rejects.toThrow(TextEncoderError);
    await expect(t2l.generate([1, 2, 3])).rejects.toThrow(/length 3, the model's text encoder gives 128/);
    const controller = new AbortController();
    controller.abort();
    await expect(TextToLora.fit(tasks, TINY_CONFIG, { signal: controller.signal })).rejects.toThrow(AbortedError);
    const wild = { ...TINY_CONFIG, autoencoder: { ...TINY_CONFIG.autoencoder, steps: 40, learningRate: 1e9 } };
    await expect(TextToLora.fit(tasks, wild)).rejects.toThrow(NumericalError);
    await expect(TextToLora.fit(tasks, wild)).rejects.toThrow(/text-to-LoRA hypernetwork.*autoencoder\.learningRate/s);
  });
});
