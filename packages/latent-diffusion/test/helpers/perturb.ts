import * as tf from '@tensorflow/tfjs';
import { SeededRng, type DiT } from '../../src';

/** Gives every parameter random values (a fresh DiT is zero at its outputs and gates, hiding most paths). */
export function perturb(model: DiT, seed: number, std = 0.3): void {
  const rng = new SeededRng(seed);
  for (const v of model.trainableVariables()) {
    const values = rng.normals(v.size).map((x) => x * std);
    tf.tidy(() => v.assign(tf.tensor(values, v.shape)));
  }
}
