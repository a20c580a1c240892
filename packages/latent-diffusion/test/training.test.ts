// End to end: a small DiT trained with the package's loss, optimiser-agnostic EMA and condition dropout learns a
// class-conditional mixture; samples from the EMA weights reproduce the class means and guidance sharpens them.
import * as tf from '@tensorflow/tfjs';
import { activateBackend, describeEachBackend, expectNoLeaks } from '@loragen/test-utils';
import { createSchedule, diffusionLoss, DiT, ExponentialMovingAverage, SeededRng, sample } from '../src';
import { CHANNELS, CLASSES, classStatistics, drawBatch, oneHot, TOKENS, WITHIN_CLASS_STD } from './helpers/class-mixture';

const schedule = createSchedule({ kind: 'cosine', timesteps: 200 });
const modelConfig = { tokens: TOKENS, channels: CHANNELS, width: 32, depth: 2, heads: 4, condDim: CLASSES, timeFeatures: 32 };

async function trainStep(model: DiT, optimizer: tf.Optimizer, rng: SeededRng, batch: number, condDropout: number): Promise<number> {
  const { x0, cond } = drawBatch(rng, batch);
  const loss = optimizer.minimize(
    () => diffusionLoss({ model, x0, cond, schedule, rng, weighting: 'snr-ratio', condDropout }),
    true,
    model.trainableVariables(),
  );
  const value = (await loss!.data())[0];
  tf.dispose([x0, cond, loss!]);
  return value;
}

describe('a small DiT learns a class-conditional mixture of Gaussians [wasm]', () => {
  const labels = Array.from({ length: 96 }, (_, i) => i % CLASSES);
  let model: DiT;
  let ema: ExponentialMovingAverage;

  beforeAll(async () => {
    await activateBackend('wasm');
    model = new DiT(modelConfig);
    ema = new ExponentialMovingAverage(model.variables, { decay: 0.99 });
    const optimizer = tf.train.adam(3e-3);
    const rng = new SeededRng(42);
    for (let step = 0; step < 250; step++) {
      await trainStep(model, optimizer, rng, 64, 0.2);
      ema.update();
    }
    optimizer.dispose();
  });

  afterAll(() => {
    ema.dispose();
    model.dispose();
  });

  async function statsAt(guidanceScale: number) {
    const cond = oneHot(labels);
    const x = await ema.withAveragedWeights(() =>
      sample({
        denoiser: model.asDenoiser(),
        shape: [labels.length, TOKENS, CHANNELS],
        schedule,
        sampler: 'dpmpp-2m',
        steps: 20,
        cond,
        guidanceScale,
        seed: 7,
      }),
    );
    const values = (await x.data()) as Float32Array;
    tf.dispose([x, cond]);
    return classStatistics(values, labels);
  }

  test('samples reproduce the class means and spread (guidance 1)', async () => {
    const { spread, meanError, ownClassNearest } = await statsAt(1);
    // Class means are >= 3 apart; a true sample lies ~0.25 * sqrt(16) = 1 from its class mean.
    expect(meanError).toBeLessThan(0.15);
    expect(ownClassNearest).toBe(1);
    expect(Math.abs(spread - WITHIN_CLASS_STD * Math.sqrt(TOKENS * CHANNELS))).toBeLessThan(0.2);
  });

  test('guidance scale 3 measurably sharpens samples towards their class mean', async () => {
    const plain = await statsAt(1);
    const guided = await statsAt(3);
    expect(guided.spread).toBeLessThan(0.95 * plain.spread);
    expect(guided.ownClassNearest).toBe(1);
  });
});

describeEachBackend('training and sampling on this backend', () => {
  test('50 training steps and 5 sampling runs leak no tensors; the loss goes down', async () => {
    const model = new DiT({ ...modelConfig, width: 16, depth: 1, heads: 2 });
    const ema = new ExponentialMovingAverage(model.variables);
    const optimizer = tf.train.adam(1e-2);
    const rng = new SeededRng(3);
    const losses: number[] = [];
    // The optimiser creates its moment slots on the first step: count from the second.
    losses.push(await trainStep(model, optimizer, rng, 8, 0.2));
    await expectNoLeaks(async () => {
      for (let step = 1; step < 50; step++) {
        losses.push(await trainStep(model, optimizer, rng, 8, 0.2));
        ema.update();
      }
      const cond = oneHot([0, 1, 2, 0]);
      for (let run = 0; run < 5; run++) {
        const x = await ema.withAveragedWeights(() =>
          sample({
            denoiser: model.asDenoiser(),
            shape: [4, TOKENS, CHANNELS],
            schedule,
            sampler: 'dpmpp-2m',
            steps: 5,
            cond,
            guidanceScale: 2,
            seed: run,
          }),
        );
        x.dispose();
      }
      cond.dispose();
    });
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(losses.slice(40))).toBeLessThan(mean(losses.slice(0, 10)));
    optimizer.dispose();
    ema.dispose();
    model.dispose();
  });
});
