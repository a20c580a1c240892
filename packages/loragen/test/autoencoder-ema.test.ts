// Config `autoencoder.emaDecay`: stage 1 ends with the moving average of the autoencoder's weights.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { LoraGen, resolveConfig } from '../src';
import { decodeTensorFile } from '../src/checkpoint/tensor-file';
import { syntheticLibrary } from './helpers/synthetic-library';
import { TINY_CONFIG } from './helpers/tiny-config';

/** The stage-1 weights (encoder and decoder) of a model trained for `steps` autoencoder steps, as float64 arrays. */
async function stage1Weights(steps: number, emaDecay: number): Promise<Map<string, Float64Array>> {
  const { tasks } = syntheticLibrary();
  const config = { ...TINY_CONFIG, autoencoder: { ...TINY_CONFIG.autoencoder, steps, emaDecay }, diffusion: { ...TINY_CONFIG.diffusion, steps: 1 } };
  const gen = await LoraGen.fit(tasks, config);
  const dir = await mkdtemp(join(tmpdir(), 'ae-ema-'));
  try {
    await gen.save(dir);
    const tensors = decodeTensorFile(new Uint8Array(await readFile(join(dir, 'weights.safetensors'))), 'weights');
    const out = new Map<string, Float64Array>();
    for (const [name, t] of Object.entries(tensors)) if (!name.startsWith('denoiser/')) out.set(name, Float64Array.from(t.dataSync()));
    tf.dispose(Object.values(tensors));
    return out;
  } finally {
    gen.dispose();
    await rm(dir, { recursive: true, force: true });
  }
}

it('is off by default (the paper) and validated', () => {
  expect(resolveConfig({}).autoencoder.emaDecay).toBe(0);
  expect(() => resolveConfig({ autoencoder: { emaDecay: 1.5 } })).toThrow(/emaDecay/);
});

// The EMA warms up: update n uses min(decay, (1 + n) / (10 + n)), i.e. at most 0.1 then 2 / 11. Starting from the
// initial weights w0, two updates give d1 d0 w0 + d1 (1 - d0) w1 + (1 - d1) w2 (w1, w2 the stepped weights).
it.each([
  [0.05, 0.05, 0.05],
  [0.5, 0.1, 2 / 11],
])('with decay %p, after two steps holds the closed form of the initial and stepped weights', async (decay, d0, d1) => {
  const [w0, w1, w2, averaged] = await Promise.all([stage1Weights(0, 0), stage1Weights(1, 0), stage1Weights(2, 0), stage1Weights(2, decay)]);
  let moved = 0;
  for (const [name, got] of averaged) {
    const a = w0.get(name)!;
    const b = w1.get(name)!;
    const c = w2.get(name)!;
    const want = a.map((x, i) => d1 * d0 * x + d1 * (1 - d0) * b[i] + (1 - d1) * c[i]);
    for (let i = 0; i < got.length; i++) {
      expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(want[i])));
      moved = Math.max(moved, Math.abs(got[i] - c[i]));
    }
  }
  // and it is not the last step's weights
  expect(moved).toBeGreaterThan(1e-4);
}, 120_000);
