import type { LoraAdapter } from '@loragen/lora-io';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CheckpointError, ConfigError, LibraryError, LoraGen, buildFactorSet, type LibraryTask } from '../src';
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
      for (let i = 0; i < spec.dOut; i++) for (let j = 0; j < spec.dIn; j++) {
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
    await expect(buildFactorSet(bad)).rejects.toThrow(/task 'arithmetic-detailed': module type 'self_attn.v_proj' covers layers \[0\], 'self_attn.q_proj' covers \[0, 1\][\s\S]*hint:/);
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
  let work: string;
  let model: string;
  let saved: LoraAdapter;

  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'loragen-ckpt-'));
    model = path.join(work, 'model');
    const gen = await LoraGen.fit(tasks, QUICK);
    await gen.save(model);
    saved = await gen.generate('task zero', { seed: 5 });
    gen.dispose();
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  function copy(name: string): string {
    const dir = path.join(work, name);
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

    await expect(LoraGen.load(path.join(work, 'nowhere'))).rejects.toThrow(/cannot read .*manifest\.json/);
  });

  it('reports weights that do not fit the config, and a config.json that is not a model description', async () => {
    // a consistent folder (manifest rewritten) whose config asks for a different latent size
    const other = copy('other-config');
    const meta = JSON.parse(fs.readFileSync(path.join(other, 'config.json'), 'utf8'));
    meta.config.autoencoder.latentDim = 6;
    await rewrite(other, 'config.json', JSON.stringify(meta));
    await expect(LoraGen.load(other)).rejects.toThrow(CheckpointError);
    await expect(LoraGen.load(other)).rejects.toThrow(/has shape \[.*\], the model needs|does not match this decoder/);

    const foreign = copy('foreign');
    await rewrite(foreign, 'config.json', JSON.stringify({ hello: 'world' }));
    await expect(LoraGen.load(foreign)).rejects.toThrow(/not a LoRAGen model description/);
  });
});

/** Replaces one file of a checkpoint folder and its manifest entry (a valid folder with other content). */
async function rewrite(dir: string, name: string, text: string): Promise<void> {
  const { crc32 } = await import('../src/checkpoint/crc32');
  const bytes = new TextEncoder().encode(text);
  fs.writeFileSync(path.join(dir, name), bytes);
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  manifest.files[name] = { bytes: bytes.byteLength, crc32: crc32(bytes) };
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
}
