// Condition anchoring (sampling.anchoring): the closed-form mix, and its plumbing through a trained model.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { anchorConditions, CheckpointError, ConfigError, embedTasks, LoraGen, taskWeights } from '../src';
import { crc32 } from '../src/checkpoint/crc32';
import { syntheticLibrary } from './helpers/synthetic-library';
import { TINY_CONFIG } from './helpers/tiny-config';

describe('anchorConditions', () => {
  const tasks = [
    [1, 0, 0],
    [0, 2, 0],
  ];

  it('weighs tasks by the softmax of cosine / temperature (worked by hand)', () => {
    // row (1, 1, 0): cosine 1/sqrt(2) to both tasks, so equal weights whatever the temperature
    expect(taskWeights([1, 1, 0], tasks, 0.01)).toEqual([0.5, 0.5]);
    // row (2, 1, 0): cosines 2/sqrt(5) and 1/sqrt(5); at temperature 0.5 the weight of task 0 is
    // 1 / (1 + exp(-(1/sqrt(5)) / 0.5)) = 0.7102...
    const [p0, p1] = taskWeights([2, 1, 0], tasks, 0.5);
    expect(p0).toBeCloseTo(1 / (1 + Math.exp(-2 / Math.sqrt(5))), 12);
    expect(p0 + p1).toBeCloseTo(1, 12);
  });

  it('blends the raw row with the task mix by weight', () => {
    const [p0, p1] = taskWeights([2, 1, 5], tasks, 0.5);
    const mix = [p0 * 1, p1 * 2, 0];
    const [half] = anchorConditions([[2, 1, 5]], tasks, { weight: 0.5, temperature: 0.5 });
    [2, 1, 5].forEach((x, d) => expect(half[d]).toBeCloseTo(0.5 * x + 0.5 * mix[d], 12));
    const [full] = anchorConditions([[2, 1, 5]], tasks, { weight: 1, temperature: 0.5 });
    mix.forEach((m, d) => expect(full[d]).toBeCloseTo(m, 12));
  });

  it('at a small temperature a row becomes its nearest task condition; weight 0 leaves it; a zero row gets the mean', () => {
    anchorConditions([[0.9, 0.3, 0.2]], tasks, { weight: 1, temperature: 1e-3 })[0].forEach((x, d) => expect(x).toBeCloseTo([1, 0, 0][d], 12));
    expect(anchorConditions([[0.9, 0.3, 0.2]], tasks, { weight: 0, temperature: 1e-3 })[0]).toEqual([0.9, 0.3, 0.2]);
    expect(anchorConditions([[0, 0, 0]], tasks, { weight: 1, temperature: 1e-3 })[0]).toEqual([0.5, 1, 0]);
  });

  it("in 'span' mode projects onto the span of the task conditions at their mean norm: sums of tasks keep their direction, what no task has drops", () => {
    const span = { weight: 1, temperature: 1, mode: 'span' as const };
    // task norms 1 and 2: mean 1.5. (3, -4, 7): its first two coordinates lie in the span of (1, 0, 0) and (0, 2, 0),
    // the third in neither; the projection (3, -4, 0) has norm 5, scaled to 1.5
    anchorConditions([[3, -4, 7]], tasks, span)[0].forEach((x, d) => expect(x).toBeCloseTo([0.9, -1.2, 0][d], 12));
    // a combination of task conditions that is no task (and far from both) keeps its direction
    const skewed = [
      [1, 1, 0],
      [0, 1, 1],
      [1, 0, 1],
    ];
    const [combo] = anchorConditions([[2, 0, -2]], skewed, span); // 2 ((1,1,0) - (0,1,1)), norm 2 sqrt 2 -> sqrt 2
    [1, 0, -1].forEach((x, d) => expect(combo[d]).toBeCloseTo(x, 12));
    // a dependent task condition adds no direction (task norms 1, 2, 2 sqrt 2); half weight is half way
    const third = (3 + 2 * Math.SQRT2) / 3;
    const [half] = anchorConditions([[3, -4, 7]], [...tasks, [2, 2, 0]], { ...span, weight: 0.5 });
    [3, -4, 7].forEach((x, d) => expect(half[d]).toBeCloseTo(0.5 * x + 0.5 * ([3, -4, 0][d] / 5) * third, 12));
    // nothing of the row in the span: the projection is zero and stays zero
    expect(anchorConditions([[0, 0, 1]], tasks, span)[0]).toEqual([0, 0, 0]);
  });

  it('with snap, a row anchored at least that close (cosine) to a task condition becomes it; one between tasks stays', () => {
    const span = { weight: 1, temperature: 1, mode: 'span' as const };
    // (3, 1, 5) projects to (3, 1, 0) (scaled), cosine 3 / sqrt 10 = 0.949 to task (1, 0, 0)
    expect(anchorConditions([[3, 1, 5]], tasks, { ...span, snap: 0.9 })[0]).toEqual([1, 0, 0]);
    const kept = anchorConditions([[3, 1, 5]], tasks, { ...span, snap: 0.95 })[0];
    anchorConditions([[3, 1, 5]], tasks, span)[0].forEach((x, d) => expect(kept[d]).toBe(x));
    // (1, 1, 0) sits between the tasks (cosine 0.707 to both): a new combination keeps its direction
    const between = anchorConditions([[1, 1, 0]], tasks, { ...span, snap: 0.75 })[0];
    expect(between[0] / between[1]).toBeCloseTo(1, 12);
    // the nearest mode snaps too; weight 0 leaves rows alone whatever snap says
    expect(anchorConditions([[0.2, 0.9, 0.1]], tasks, { weight: 0.5, temperature: 1, snap: 0.5 })[0]).toEqual([0, 2, 0]);
    expect(anchorConditions([[0.2, 0.9, 0.1]], tasks, { weight: 0, temperature: 1, snap: 0.5 })[0]).toEqual([0.2, 0.9, 0.1]);
  });
});

describe('anchored sampling', () => {
  const { tasks } = syntheticLibrary();
  let gen: LoraGen;
  let work: string;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'loragen-anchoring-'));
    gen = await LoraGen.fit(tasks, {
      ...TINY_CONFIG,
      autoencoder: { ...TINY_CONFIG.autoencoder, steps: 40 },
      diffusion: { ...TINY_CONFIG.diffusion, steps: 20 },
    });
  }, 120_000);

  afterAll(() => {
    gen.dispose();
    fs.rmSync(work, { recursive: true, force: true });
  });

  const latentsOf = async (condition: string | Float32Array, anchoring: { weight: number; temperature?: number }) => {
    const z = await gen.sampleLatents(condition, { seed: 5, steps: 4, anchoring });
    const values = Array.from(await z.data());
    z.dispose();
    return values;
  };

  it("a wording anchored at weight 1 samples exactly as its nearest task's training condition does", async () => {
    const table = await embedTasks(
      gen.textEncoder,
      tasks.map((t) => t.descriptions),
    );
    const means = (await table.array()) as number[][];
    table.dispose();
    const wording = `${tasks[2].descriptions[0]} please`;
    const row = await gen.textEncoder.embed([wording]);
    const weights = taskWeights(((await row.array()) as number[][])[0], means, 1e-4);
    row.dispose();
    const nearest = weights.indexOf(Math.max(...weights));
    expect(weights[nearest]).toBeCloseTo(1, 6);
    expect(await latentsOf(wording, { weight: 1, temperature: 1e-4 })).toEqual(await latentsOf(Float32Array.from(means[nearest]), { weight: 0 }));
    // and unanchored, the same wording samples something else
    expect(await latentsOf(wording, { weight: 0 })).not.toEqual(await latentsOf(Float32Array.from(means[nearest]), { weight: 0 }));
  });

  it('refuses bad anchoring options with the field named', async () => {
    await expect(gen.sampleLatents('x', { anchoring: { weight: 2 } })).rejects.toThrow(/sampling\.anchoring\.weight/);
    await expect(gen.sampleLatents('x', { anchoring: { temperature: 0 } })).rejects.toThrow(ConfigError);
    await expect(gen.sampleLatents('x', { anchoring: { weight: 1, snap: 1.5 } })).rejects.toThrow(/sampling\.anchoring\.snap/);
  });

  it("a saved model keeps the library's descriptions; one saved without them refuses anchoring only", async () => {
    const dir = path.join(work, 'model');
    await gen.save(dir);
    const loaded = await LoraGen.load(dir);
    const wording = `${tasks[1].descriptions[1]} now`;
    expect(
      await loaded.sampleLatents(wording, { seed: 5, steps: 4, anchoring: { weight: 1 } }).then((z) => z.data().finally(() => z.dispose())),
    ).toEqual(Float32Array.from(await latentsOf(wording, { weight: 1 })));
    loaded.dispose();

    // An older model: config.json without `library` (and the manifest updated to match).
    const configPath = path.join(dir, 'config.json');
    const meta = JSON.parse(fs.readFileSync(configPath, 'utf8'));
    delete meta.library;
    const bytes = new TextEncoder().encode(JSON.stringify(meta));
    fs.writeFileSync(configPath, bytes);
    const manifestPath = path.join(dir, 'manifest.json');
    const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
    manifest.files['config.json'] = { bytes: bytes.byteLength, crc32: crc32(bytes) };
    fs.writeFileSync(manifestPath, JSON.stringify(manifest));
    const old = await LoraGen.load(dir);
    await expect(old.sampleLatents(wording, { anchoring: { weight: 0.5 } })).rejects.toThrow(/saved without/);
    (await old.sampleLatents(wording, { steps: 2, anchoring: { weight: 0 } })).dispose();
    old.dispose();

    // A malformed `library` is a checkpoint error, not a crash at sampling time.
    meta.library = { taskNames: ['a'], descriptions: [] };
    const bad = new TextEncoder().encode(JSON.stringify(meta));
    fs.writeFileSync(configPath, bad);
    manifest.files['config.json'] = { bytes: bad.byteLength, crc32: crc32(bad) };
    fs.writeFileSync(manifestPath, JSON.stringify(manifest));
    await expect(LoraGen.load(dir)).rejects.toThrow(CheckpointError);
  });
});
