import type { LoraAdapter } from '@loragen/lora-io';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempFolder } from '@loragen/test-utils';
import * as tf from '@tensorflow/tfjs';
import {
  CheckpointError,
  ConfigError,
  HashingTextEncoder,
  LibraryError,
  LoraGen,
  NumericalError,
  TextEncoderError,
  buildFactorSet,
  type LibraryTask,
  type TaskTextEncoder,
} from '../src';
import { poisonSafetensors, rewriteCheckpointFile } from './helpers/corrupt';
import { syntheticLibrary } from './helpers/synthetic-library';
import { TINY_CONFIG } from './helpers/tiny-config';

const QUICK = { ...TINY_CONFIG, autoencoder: { ...TINY_CONFIG.autoencoder, steps: 2 }, diffusion: { ...TINY_CONFIG.diffusion, steps: 2 } };

function withModules(task: LibraryTask, edit: (m: LibraryTask['adapter']['modules']) => LibraryTask['adapter']['modules']): LibraryTask {
  return { ...task, adapter: { ...task.adapter, modules: edit(task.adapter.modules) } };
}

describe('libraries LoRAGen cannot learn from', () => {
  const { tasks } = syntheticLibrary();

  it('orders positions layer-major and normalises dW per module type', async () => {
    const set = await buildFactorSet(tasks);
    expect(set.layout.moduleTypes.map((t) => t.name)).toEqual(['self_attn.q_proj', 'self_attn.v_proj']);
    expect(set.layout.modulePaths.slice(0, 3)).toEqual([
      'base_model.model.model.layers.0.self_attn.q_proj',
      'base_model.model.model.layers.0.self_attn.v_proj',
      'base_model.model.model.layers.1.self_attn.q_proj',
    ]);
    // RMS of |dW|_F over the library is 1 after normalisation: check it from the stored factors directly
    const spec = set.layout.moduleTypes[0];
    const { A, B } = set.factors[0];
    const count = tasks.length * set.layout.layers;
    let energy = 0;
    for (let p = 0; p < count; p++) {
      for (let i = 0; i < spec.dOut; i++)
        for (let j = 0; j < spec.dIn; j++) {
          let v = 0;
          for (let k = 0; k < spec.rank; k++) v += B[p * spec.dOut * spec.rank + i * spec.rank + k] * A[p * spec.rank * spec.dIn + k * spec.dIn + j];
          energy += v * v;
        }
    }
    expect(Math.sqrt(energy / count)).toBeCloseTo(1, 4);
  });

  it('refuses mismatched layouts, naming the task and the difference', async () => {
    const odd = withModules(tasks[3], (ms) => ms.filter((m) => !m.name.endsWith('layers.1.self_attn.v_proj')));
    const bad = [...tasks.slice(0, 3), odd];
    await expect(buildFactorSet(bad)).rejects.toThrow(LibraryError);
    await expect(buildFactorSet(bad)).rejects.toThrow(
      /task 'arithmetic-detailed': module type 'self_attn.v_proj' covers layers \[0\], 'self_attn.q_proj' covers \[0, 1\][\s\S]*hint:/,
    );
    const otherShape = withModules(tasks[1], (ms) => ms.map((m) => (m.name.includes('v_proj') ? { ...m, dOut: 8, B: m.B.subarray(0, 16) } : m)));
    await expect(buildFactorSet([tasks[0], otherShape])).rejects.toThrow(/task 'sentiment-detailed' has layout.*16 -> 8.*the library has.*16 -> 16/);
  });

  it('refuses DoRA adapters, libraries of one task and tasks without descriptions', async () => {
    const dora = { ...tasks[2], adapter: { ...tasks[2].adapter, config: { ...tasks[2].adapter.config, use_dora: true } } };
    await expect(buildFactorSet([tasks[0], dora])).rejects.toThrow(/task 'arithmetic-brief' is a DoRA adapter[\s\S]*hint: remove DoRA/);
    await expect(buildFactorSet(tasks.slice(0, 1))).rejects.toThrow(/holds 1 task\(s\); LoRAGen needs at least 2/);
    await expect(buildFactorSet([tasks[0], { ...tasks[1], descriptions: [] }])).rejects.toThrow(/task 'sentiment-detailed' has no/);
  });

  it('refuses a bad config before reading anything', async () => {
    await expect(LoraGen.fit(tasks, { autoencoder: { topK: 9 } })).rejects.toThrow(ConfigError);
  });
});

describe('checkpoints', () => {
  const { tasks } = syntheticLibrary();
  const work = tempFolder('loragen-ckpt-');
  let model: string;
  let saved: LoraAdapter;

  beforeAll(async () => {
    model = path.join(work(), 'model');
    const gen = await LoraGen.fit(tasks, QUICK);
    await gen.save(model);
    saved = await gen.generate('task zero', { seed: 5 });
    gen.dispose();
  });

  function copy(name: string): string {
    const dir = path.join(work(), name);
    fs.cpSync(model, dir, { recursive: true });
    return dir;
  }

  it('loads a saved model that generates what the model it was saved from did', async () => {
    const loaded = await LoraGen.load(model);
    const again = await loaded.generate('task zero', { seed: 5 });
    loaded.dispose();
    expect(saved.modules.length).toBeGreaterThan(0);
    expect(again.modules.map((m) => m.name)).toEqual(saved.modules.map((m) => m.name));
    again.modules.forEach((m, i) => {
      expect(Array.from(m.A)).toEqual(Array.from(saved.modules[i].A));
      expect(Array.from(m.B)).toEqual(Array.from(saved.modules[i].B));
    });
  });

  it('builds the same model from in-memory files (as a browser fetches them), checked against the manifest', async () => {
    const files = Object.fromEntries(fs.readdirSync(model).map((f) => [f, new Uint8Array(fs.readFileSync(path.join(model, f)))]));
    const fromDisk = await LoraGen.load(model);
    const fromMemory = await LoraGen.fromFiles(files, 'fetched');
    const a = (await fromDisk.generate('task zero', { seed: 5 })) as LoraAdapter;
    const b = (await fromMemory.generate('task zero', { seed: 5 })) as LoraAdapter;
    expect(b.modules.map((m) => Array.from(m.A))).toEqual(a.modules.map((m) => Array.from(m.A)));
    fromDisk.dispose();
    fromMemory.dispose();

    const corrupt = { ...files, 'weights.safetensors': files['weights.safetensors'].slice(0, 100) };
    await expect(LoraGen.fromFiles(corrupt, 'fetched')).rejects.toThrow(/fetched\/weights\.safetensors is corrupt: 100 bytes/);
    const { 'manifest.json': _manifest, ...unlisted } = files;
    await expect(LoraGen.fromFiles(unlisted, 'fetched')).rejects.toThrow(/fetched: manifest\.json is missing/);
  });

  it('detects a flipped byte in the weights, a truncated file, a missing file and a missing folder', async () => {
    const flipped = copy('flipped');
    const w = path.join(flipped, 'weights.safetensors');
    const bytes = fs.readFileSync(w);
    bytes[bytes.length - 3] ^= 0x40;
    fs.writeFileSync(w, bytes);
    await expect(LoraGen.load(flipped)).rejects.toThrow(CheckpointError);
    await expect(LoraGen.load(flipped)).rejects.toThrow(/weights\.safetensors is corrupt.*the manifest says[\s\S]*hint:/);

    const truncated = copy('truncated');
    fs.truncateSync(path.join(truncated, 'weights.safetensors'), 100);
    await expect(LoraGen.load(truncated)).rejects.toThrow(/is corrupt: 100 bytes/);

    const missing = copy('missing');
    fs.rmSync(path.join(missing, 'config.json'));
    await expect(LoraGen.load(missing)).rejects.toThrow(/config\.json is missing/);

    await expect(LoraGen.load(path.join(work(), 'nowhere'))).rejects.toThrow(/cannot read .*manifest\.json/);
  });

  it('reports weights that do not fit the config, and a config.json that is not a model description', async () => {
    // a consistent folder (manifest rewritten) whose config asks for a different latent size
    const other = copy('other-config');
    const meta = JSON.parse(fs.readFileSync(path.join(other, 'config.json'), 'utf8'));
    meta.config.autoencoder.latentDim = 6;
    rewriteCheckpointFile(other, 'config.json', JSON.stringify(meta));
    await expect(LoraGen.load(other)).rejects.toThrow(CheckpointError);
    await expect(LoraGen.load(other)).rejects.toThrow(
      /has shape \[.*\], the (encoder|denoiser) needs|does not match (the encoder|this decoder|the denoiser)/,
    );

    const foreign = copy('foreign');
    rewriteCheckpointFile(foreign, 'config.json', JSON.stringify({ hello: 'world' }));
    await expect(LoraGen.load(foreign)).rejects.toThrow(/not a LoRAGen model description/);
  });

  it('refuses weights holding NaN, naming the file and the tensor', async () => {
    const poisoned = copy('poisoned');
    const { bytes, tensor } = poisonSafetensors(new Uint8Array(fs.readFileSync(path.join(poisoned, 'weights.safetensors'))), NaN);
    rewriteCheckpointFile(poisoned, 'weights.safetensors', bytes);
    await expect(LoraGen.load(poisoned)).rejects.toThrow(CheckpointError);
    await expect(LoraGen.load(poisoned)).rejects.toThrow(`${poisoned}/weights.safetensors: tensor '${tensor}' holds NaN at [0, 1]`);
  });

  it('refuses a NaN condition vector, and a generated update that is not finite', async () => {
    const gen = await LoraGen.load(model);
    const vector = new Float32Array(gen.textEncoder.dim).fill(0.1);
    vector[3] = NaN;
    await expect(gen.generate(vector)).rejects.toThrow(/condition vector 0: NaN at \[0, 3\]/);
    gen.dispose();
    // a latent scale that overflows float32 when sampling: every update is NaN or Infinity
    const overflow = copy('overflow');
    const meta = JSON.parse(fs.readFileSync(path.join(overflow, 'config.json'), 'utf8'));
    meta.latentNormalizer = { shift: 0, scale: 3e38 };
    rewriteCheckpointFile(overflow, 'config.json', JSON.stringify(meta));
    const broken = await LoraGen.load(overflow);
    await expect(broken.generate(['task zero', 'task one'], { count: 2 })).rejects.toThrow(
      /^the adapter generated for "task zero" \(sample 1\) holds non-finite values: module '[^']+', tensor lora_[AB]\.weight: /,
    );
    await expect(broken.generate('task zero')).rejects.toThrow(NumericalError);
    broken.dispose();
  });
});

describe('non-finite values are refused where they enter', () => {
  const { tasks } = syntheticLibrary();
  const poisoned = (task: LibraryTask, value: number): LibraryTask => {
    const modules = task.adapter.modules.map((m, i) => (i === 2 ? { ...m, A: Float32Array.from(m.A, (a, j) => (j === 5 ? value : a)) } : m));
    return { ...task, adapter: { ...task.adapter, modules } };
  };

  it('a library adapter: the task, the module and the tensor are named, before anything trains', async () => {
    const steps: number[] = [];
    const fit = LoraGen.fit([tasks[0], poisoned(tasks[1], NaN), ...tasks.slice(2)], QUICK, { onProgress: (p) => steps.push(p.step) });
    await expect(fit).rejects.toThrow(LibraryError);
    await expect(buildFactorSet([tasks[0], poisoned(tasks[1], -Infinity)])).rejects.toThrow(
      `task '${tasks[1].name}' holds non-finite values: module '${tasks[1].adapter.modules[2].name}', tensor lora_A.weight: -Infinity at [0, 5]`,
    );
    expect(steps).toEqual([]);
  });

  it("a text encoder's embedding: the task and description are named, before anything trains", async () => {
    const base = new HashingTextEncoder({ dim: 16 });
    const broken: TaskTextEncoder = {
      dim: 16,
      embed: async (texts) =>
        tf.tensor2d(
          texts.flatMap((t) => Array.from(base.vector(t), (x, i) => (t === tasks[3].descriptions[1] && i === 4 ? NaN : x))),
          [texts.length, 16],
        ),
    };
    const steps: number[] = [];
    const fit = LoraGen.fit(tasks, QUICK, { textEncoder: broken, onProgress: (p) => steps.push(p.step) });
    await expect(fit).rejects.toThrow(TextEncoderError);
    await expect(LoraGen.fit(tasks, QUICK, { textEncoder: broken })).rejects.toThrow(
      `task '${tasks[3].name}', description "${tasks[3].descriptions[1]}": NaN at [`,
    );
    expect(steps).toEqual([]);
    expect(() => new HashingTextEncoder({ dim: 2, center: [0, Infinity] })).toThrow(/center holds Infinity at \[1\]/);
  });

  it('training stops with a NumericalError at the first non-finite loss instead of going on', async () => {
    const losses: number[] = [];
    const diverging = { ...QUICK, autoencoder: { ...QUICK.autoencoder, steps: 20, learningRate: 1e30 } };
    const err = await LoraGen.fit(tasks, diverging, { onProgress: (p) => losses.push(p.loss) }).then(
      () => new Error('training went on'),
      (e: unknown) => e as Error,
    );
    expect(err).toBeInstanceOf(NumericalError);
    expect(losses.every(Number.isFinite)).toBe(true); // no non-finite loss was ever reported as progress
    expect(losses.length).toBeLessThan(20);
    expect(err.message).toMatch(new RegExp(`^stage 1 \\(autoencoder\\): the training loss is (NaN|-?Infinity) at step ${losses.length + 1} of 20`));
  });
});
