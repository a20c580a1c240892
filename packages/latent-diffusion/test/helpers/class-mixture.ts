// A class-conditional mixture of Gaussians on latent sets of 8 tokens x 2 channels: class c is N(m_c, 0.25^2 I),
// with well separated means; the condition is the one-hot class.
import * as tf from '@tensorflow/tfjs';
import { SeededRng } from '../../src';

export const CLASSES = 3;
export const TOKENS = 8;
export const CHANNELS = 2;
export const WITHIN_CLASS_STD = 0.25;

/** Class means [CLASSES][TOKENS * CHANNELS]: +-0.8 patterns that differ between classes. */
export const classMeans: number[][] = Array.from({ length: CLASSES }, (_, c) =>
  Array.from({ length: TOKENS * CHANNELS }, (_, i) => (Math.sin(1.7 * (i + 1) * (c + 1)) > 0 ? 0.8 : -0.8)),
);

export function oneHot(labels: number[]): tf.Tensor2D {
  const values = new Float32Array(labels.length * CLASSES);
  labels.forEach((c, i) => (values[i * CLASSES + c] = 1));
  return tf.tensor2d(values, [labels.length, CLASSES]);
}

/** A batch of (x0 [batch, TOKENS, CHANNELS], one-hot condition) pairs. */
export function drawBatch(rng: SeededRng, batch: number): { x0: tf.Tensor3D; cond: tf.Tensor2D } {
  const labels = Array.from({ length: batch }, () => Math.floor(rng.uniform() * CLASSES));
  const size = TOKENS * CHANNELS;
  const noise = rng.normals(batch * size);
  const values = noise.map((n, i) => classMeans[labels[Math.floor(i / size)]][i % size] + WITHIN_CLASS_STD * n);
  return { x0: tf.tensor3d(values, [batch, TOKENS, CHANNELS]), cond: oneHot(labels) };
}

/**
 * Mean distance of each sample to its class mean (`spread`), worst RMS error of a class's sample mean, and the
 * fraction of samples whose nearest class mean is their own.
 */
export function classStatistics(samples: Float32Array, labels: number[]): { spread: number; meanError: number; ownClassNearest: number } {
  const size = TOKENS * CHANNELS;
  let spread = 0;
  const sums = classMeans.map(() => new Float64Array(size));
  const counts = new Array<number>(CLASSES).fill(0);
  let ownClassNearest = 0;
  labels.forEach((c, b) => {
    const distances = classMeans.map((m) => {
      let sq = 0;
      for (let i = 0; i < size; i++) sq += (samples[b * size + i] - m[i]) ** 2;
      return Math.sqrt(sq);
    });
    for (let i = 0; i < size; i++) sums[c][i] += samples[b * size + i];
    spread += distances[c] / labels.length;
    if (distances[c] === Math.min(...distances)) ownClassNearest++;
    counts[c]++;
  });
  let meanError = 0;
  for (let c = 0; c < CLASSES; c++) {
    let sq = 0;
    for (let i = 0; i < size; i++) sq += (sums[c][i] / counts[c] - classMeans[c][i]) ** 2;
    meanError = Math.max(meanError, Math.sqrt(sq / size));
  }
  return { spread, meanError, ownClassNearest: ownClassNearest / labels.length };
}
