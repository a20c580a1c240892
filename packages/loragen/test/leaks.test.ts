import * as tf from '@tensorflow/tfjs';
import { LoraGen } from '../src';
import { syntheticLibrary } from './helpers/synthetic-library';
import { TINY_CONFIG } from './helpers/tiny-config';

it('fit, generate and dispose leave no tensors behind', async () => {
  const { tasks } = syntheticLibrary();
  const before = tf.memory().numTensors;
  const gen = await LoraGen.fit(tasks, {
    ...TINY_CONFIG,
    autoencoder: { ...TINY_CONFIG.autoencoder, steps: 5 },
    diffusion: { ...TINY_CONFIG.diffusion, steps: 5 },
  });
  await gen.generate('brief sentiment task', { steps: 3 });
  const held = tf.memory().numTensors; // the model's weights
  for (let i = 0; i < 3; i++) await gen.generate('detailed arithmetic task', { steps: 3, count: 2 });
  expect(tf.memory().numTensors).toBe(held);
  gen.dispose();
  expect(tf.memory().numTensors).toBe(before);
});
