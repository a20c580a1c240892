// Scaled-down versions of the two layouts the paper uses, keeping what matters: FLAN-T5's six module types of
// equal shape, and Gemma-2's q/v with different dOut.
import * as tf from '@tensorflow/tfjs';
import type { ModuleSpec } from '../../src';
import type { Values } from './reference-decoder';

export const t5Like: { modules: ModuleSpec[]; layers: number } = {
  modules: ['encoder_q', 'encoder_v', 'decoder_q', 'decoder_v', 'cross_q', 'cross_v'].map((name) => ({
    name,
    dIn: 16,
    dOut: 16,
    rank: 2,
  })),
  layers: 3,
};

export const gemmaLike: { modules: ModuleSpec[]; layers: number } = {
  modules: [
    { name: 'q_proj', dIn: 24, dOut: 16, rank: 2 },
    { name: 'v_proj', dIn: 24, dOut: 8, rank: 2 },
  ],
  layers: 3,
};

/** Seeded N(0, 1) latents [batch, positions, latentDim]. */
export function latents(batch: number, positions: number, latentDim: number, seed: number): tf.Tensor3D {
  return tf.randomNormal([batch, positions, latentDim], 0, 1, 'float32', seed) as tf.Tensor3D;
}

/** Every tensor's values, read asynchronously (dataSync does not work on webgpu). */
export async function readValues(tensors: Record<string, tf.Tensor>): Promise<Values> {
  const out: Values = {};
  for (const [name, t] of Object.entries(tensors)) out[name] = { shape: t.shape, data: (await t.data()) as Float32Array };
  return out;
}
