import * as tf from '@tensorflow/tfjs';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DecodeOptions, DecodeOutput, LoraDecoder, ModuleSpec } from '@loragen/moe-decoder';
import { CheckpointError, LoraGen, PrecomputedTextEncoder, trainingRng, TextEncoderError, type DecoderShape, type TaskTextEncoder } from '../src';
import { MlpDenoiser } from './helpers/mlp-denoiser';
import { syntheticLibrary } from './helpers/synthetic-library';
import { TINY_CONFIG } from './helpers/tiny-config';

const QUICK = {
  ...TINY_CONFIG,
  autoencoder: { ...TINY_CONFIG.autoencoder, steps: 4 },
  diffusion: { ...TINY_CONFIG.diffusion, steps: 4 },
  sampling: { sampler: 'ddim' as const, steps: 3 },
};

/** The simplest possible decoder: one linear map per module type from z_p to that position's flat [A; B]. */
class LinearDecoder implements LoraDecoder {
  readonly modules: ModuleSpec[];
  readonly layers: number;
  readonly latentDim: number;
  readonly variables: Record<string, tf.Variable> = {};
  decodeCalls = 0;

  constructor(shape: DecoderShape) {
    this.modules = shape.modules;
    this.layers = shape.layers;
    this.latentDim = shape.latentDim;
    const rng = trainingRng(1);
    for (const m of this.modules) {
      const out = m.rank * (m.dIn + m.dOut);
      this.variables[m.name] = tf.tidy(() => tf.variable(tf.tensor2d(rng.uniforms(this.latentDim * out, 0.3), [this.latentDim, out])));
    }
  }

  decode(z: tf.Tensor3D, _options?: DecodeOptions): DecodeOutput {
    this.decodeCalls++;
    return tf.tidy(() => {
      const [batch] = z.shape;
      const T = this.modules.length;
      const perLayer = tf.reshape(z, [batch, this.layers, T, this.latentDim]);
      const factors: DecodeOutput['factors'] = {};
      this.modules.forEach((m, t) => {
        const zt = tf.reshape(tf.slice(perLayer, [0, 0, t, 0], [-1, -1, 1, -1]), [batch * this.layers, this.latentDim]);
        const flat = tf.matMul(zt, this.variables[m.name]);
        const A = tf.reshape(tf.slice(flat, [0, 0], [-1, m.rank * m.dIn]), [batch, this.layers, m.rank, m.dIn]) as tf.Tensor4D;
        const B = tf.reshape(tf.slice(flat, [0, m.rank * m.dIn], [-1, -1]), [batch, this.layers, m.dOut, m.rank]) as tf.Tensor4D;
        factors[m.name] = { A, B };
      });
      return { factors, auxLoss: tf.scalar(0) };
    });
  }

  stateDict(): Record<string, tf.Tensor> {
    return Object.fromEntries(Object.entries(this.variables).map(([k, v]) => [k, tf.clone(v)]));
  }

  loadStateDict(state: Record<string, tf.Tensor>): void {
    for (const [k, v] of Object.entries(this.variables)) v.assign(state[k]);
  }

  dispose(): void {
    tf.dispose(Object.values(this.variables));
  }
}

/** Counts calls, so a test can see that LoRAGen used it. */
class CountingEncoder implements TaskTextEncoder {
  calls = 0;
  constructor(private readonly inner: TaskTextEncoder) {}
  get dim() {
    return this.inner.dim;
  }
  embed(texts: string[]) {
    this.calls++;
    return this.inner.embed(texts);
  }
}

describe('custom decoder, text encoder and denoiser', () => {
  const { tasks } = syntheticLibrary();
  let work: string;
  beforeAll(() => (work = fs.mkdtempSync(path.join(os.tmpdir(), 'loragen-custom-'))));
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it('trains and generates with a user decoder, and needs it again to load', async () => {
    let decoder: LinearDecoder | undefined;
    const gen = await LoraGen.fit(tasks, QUICK, { decoder: (shape) => (decoder = new LinearDecoder(shape)) });
    expect(gen.decoder).toBe(decoder);
    const trainingCalls = decoder!.decodeCalls;
    expect(trainingCalls).toBeGreaterThanOrEqual(QUICK.autoencoder.steps);
    await gen.generate('brief sentiment task');
    expect(decoder!.decodeCalls).toBe(trainingCalls + 1);

    const dir = path.join(work, 'custom-decoder');
    await gen.save(dir);
    await expect(LoraGen.load(dir)).rejects.toThrow(CheckpointError);
    await expect(LoraGen.load(dir)).rejects.toThrow(/custom decoder[\s\S]*hint: pass the same decoder/);
    let again: LinearDecoder | undefined;
    const loaded = await LoraGen.load(dir, { decoder: (shape) => (again = new LinearDecoder(shape)) });
    const name = decoder!.modules[0].name;
    expect(await again!.variables[name].array()).toEqual(await decoder!.variables[name].array());
    loaded.dispose();
    gen.dispose();
  });

  it('embeds descriptions with a user text encoder, and conditions generation on it', async () => {
    const table: Record<string, number[]> = {};
    const rng = trainingRng(2);
    for (const t of tasks) for (const d of t.descriptions) table[d] = Array.from(rng.normals(5));
    const encoder = new CountingEncoder(new PrecomputedTextEncoder(table));
    const gen = await LoraGen.fit(tasks, QUICK, { textEncoder: encoder });
    // every description in one batch for training, then the library's task conditions once, for the fidelity that
    // fit measures at its end (since the confidence score, 8524c7a)
    expect(encoder.calls).toBe(2);
    expect(gen.textEncoder).toBe(encoder);
    await gen.generate(tasks[0].descriptions[0]);
    expect(encoder.calls).toBe(3);
    await expect(gen.generate('a description the table lacks')).rejects.toThrow(TextEncoderError);
    // a precomputed condition vector of the encoder's width works too (the same adapter as its description, for a
    // seed); another width does not
    const fromText = await gen.generate(tasks[0].descriptions[0], { seed: 3 });
    const fromVector = await gen.generate(table[tasks[0].descriptions[0]], { seed: 3 });
    expect(fromText.modules.length).toBeGreaterThan(0);
    expect(fromVector.modules.map((m) => [m.name, Array.from(m.A), Array.from(m.B)])).toEqual(
      fromText.modules.map((m) => [m.name, Array.from(m.A), Array.from(m.B)]),
    );
    await expect(gen.generate([1, 2, 3])).rejects.toThrow(/length 3, the model's text encoder gives 5/);
    gen.dispose();
  });

  it('trains a user denoiser', async () => {
    let denoiser: MlpDenoiser | undefined;
    const gen = await LoraGen.fit(tasks, QUICK, { denoiser: (shape) => (denoiser = new MlpDenoiser(shape)) });
    const calls = denoiser!.calls;
    expect(calls).toBeGreaterThanOrEqual(QUICK.diffusion.steps);
    await gen.generate('brief sentiment task');
    expect(denoiser!.calls).toBe(calls + QUICK.sampling.steps);
    gen.dispose();
  });
});
