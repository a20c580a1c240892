import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readPeftAdapter } from '@loragen/lora-io/node';
import { LoraGen } from '../src';
import { syntheticLibrary } from './helpers/synthetic-library';
import { TINY_CONFIG } from './helpers/tiny-config';
import { cliGenerate } from './helpers/run-cli';

describe('loragen generate', () => {
  const { tasks } = syntheticLibrary();
  let work: string;
  let model: string;

  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'loragen-generate-'));
    model = path.join(work, 'model');
    const gen = await LoraGen.fit(tasks, {
      ...TINY_CONFIG,
      autoencoder: { ...TINY_CONFIG.autoencoder, steps: 3 },
      diffusion: { ...TINY_CONFIG.diffusion, steps: 3 },
    });
    await gen.save(model);
    gen.dispose();
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it('writes one PEFT folder per sample and reports them as JSON', async () => {
    const out = path.join(work, 'out');
    const r = await cliGenerate(
      model,
      'brief sentiment task',
      out,
      '--samples 2 --sampler ddim --steps 4 --seed 3 --dtype BF16 --backend cpu --json',
    );
    expect(r.code).toBe(0);
    const result = JSON.parse(r.out);
    expect(result.adapters).toEqual([path.join(out, 'sample-1'), path.join(out, 'sample-2')]);
    expect(result.backend).toBe('cpu');
    const a = await readPeftAdapter(result.adapters[0]);
    const b = await readPeftAdapter(result.adapters[1]);
    expect(a.modules.map((m) => m.name)).toEqual(tasks[0].adapter.modules.map((m) => m.name));
    expect(a.config.r).toBe(2);
    expect(Array.from(a.modules[0].A)).not.toEqual(Array.from(b.modules[0].A)); // two different samples
    expect(r.err).toMatch(/sampling \[/); // the progress bar went to stderr
  });

  it('prints the confidence of several samples and, with --select medoid, writes only the medoid', async () => {
    const out = path.join(work, 'out-medoid');
    const r = await cliGenerate(model, 'brief sentiment task', out, '--samples 4 --select medoid --sampler ddim --steps 4 --backend cpu --json');
    expect(r.code).toBe(0);
    const result = JSON.parse(r.out);
    expect(result.adapters).toEqual([out]);
    expect(result.selected).toBeGreaterThanOrEqual(0);
    expect(result.selected).toBeLessThan(4);
    const { agreement, novelty, offLibrary, retrieval, fidelity, score, nearestTasks } = result.confidence;
    for (const x of [agreement, novelty, offLibrary, retrieval, fidelity, score]) expect(Number.isFinite(x)).toBe(true);
    expect(score).toBeGreaterThanOrEqual(0);
    expect(score).toBeLessThanOrEqual(1);
    expect(nearestTasks).toHaveLength(3);
    expect(nearestTasks[0]).toEqual({ task: 'sentiment-brief', similarity: expect.any(Number) });
    const plain = await cliGenerate(model, 'brief sentiment task', path.join(work, 'o-text'), '--samples 3 --steps 2 --backend cpu');
    expect(plain.out).toMatch(/confidence \d\.\d\d: names its nearest library task \d\.\d\d, which the model reproduces -?\d\.\d\d; samples agree/);
    const bad = await cliGenerate(model, 'x', path.join(work, 'o5'), '--select medoid');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--samples 2 or more/);
  });

  it('exits 2 for a bad option value and 3 for a missing model folder or one that is not a model', async () => {
    const bad = await cliGenerate(model, 'x', path.join(work, 'o2'), '--sampler euler');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--sampler 'euler' is not one of ddpm, ddim, dpmpp-2m/);
    // a generate run on the folder `modelDir`, asking for JSON (exit code and error object checked below)
    const generateFrom = (modelDir: string, out: string) => cliGenerate(modelDir, 'x', path.join(work, out), '--backend cpu --json');
    const missing = await generateFrom(path.join(work, 'nothing'), 'o3');
    expect(missing.code).toBe(3);
    expect(JSON.parse(missing.out).error).toMatchObject({
      name: 'PathError',
      message: `no model at ${path.join(work, 'nothing')}`,
      hint: expect.stringMatching(/loragen train/),
    });
    fs.mkdirSync(path.join(work, 'not-a-model'));
    const empty = await generateFrom(path.join(work, 'not-a-model'), 'o4');
    expect(empty.code).toBe(3);
    expect(JSON.parse(empty.out).error.name).toBe('CheckpointError');
    expect(fs.existsSync(path.join(work, 'o3')) || fs.existsSync(path.join(work, 'o4'))).toBe(false);
  });
});
