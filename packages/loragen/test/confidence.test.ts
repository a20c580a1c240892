// Confidence of a generated adapter (generate with `samples`): its parts in closed form; the per-task fidelity a fit
// keeps, against the true updates and through save / load; then, on a trained model and on every requested backend
// (cpu and wasm at least, also through `loragen generate --json --samples 8`), a library task (clear retrieval, high
// fidelity, agreeing samples) against gibberish (low score).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { activateBackend, describeEachBackend } from '@loragen/test-utils';
import type { LoraAdapter } from '@loragen/lora-io';
import { ConfigError, libraryFit, libraryGap, LoraGen, RETRIEVAL_SHARE, sampleAgreement, confidenceScore, updateCosine } from '../src';
import { readCheckpointFiles, writeCheckpointFolder } from '../src/checkpoint/folder';
import { cliGenerate } from './helpers/run-cli';
import { syntheticLibrary } from './helpers/synthetic-library';
import { TINY_CONFIG } from './helpers/tiny-config';

/** An adapter of one rank-1 module dW = b a^T. */
const rankOne = (a: number[], b: number[]): LoraAdapter => ({
  config: { r: 1, lora_alpha: 1 },
  modules: [{ name: 'm', rank: 1, alpha: 1, scaling: 1, dIn: a.length, dOut: b.length, A: Float32Array.from(a), B: Float32Array.from(b) }],
});

describe('confidence parts', () => {
  it('agreement is the mean pairwise cosine of the updates; the medoid agrees most with the rest', () => {
    const x = rankOne([1, 0], [1, 0]);
    const y = rankOne([0, 1], [1, 0]); // orthogonal to x
    const x2 = rankOne([2, 0], [3, 0]); // x scaled: cosine 1
    const { agreement, medoid } = sampleAgreement([y, x, x2]);
    // pairs: (y, x) 0, (y, x2) 0, (x, x2) 1
    expect(agreement).toBeCloseTo(1 / 3, 12);
    expect(medoid).toBe(1);
    expect(sampleAgreement([x, rankOne([-1, 0], [1, 0])]).agreement).toBeCloseTo(-1, 12);
    expect(() => sampleAgreement([x])).toThrow(/at least 2/);
    expect(updateCosine(x, x2)).toBeCloseTo(1, 12);
    // dW = [[1, 1], [1, 1]] / 2 against [[1, 0], [0, 0]]: <., .> = 1/2, norms 1 and 1
    expect(updateCosine(rankOne([1, 1], [0.5, 0.5]), x)).toBeCloseTo(0.5, 12);
    expect(updateCosine(x, rankOne([0, 0], [1, 0]))).toBe(0);
  });

  it('novelty, off-library share and nearest tasks follow from the embeddings', () => {
    const tasks = [
      [1, 0, 0],
      [0, 1, 0],
      [1, 1, 0],
    ];
    const names = ['a', 'b', 'ab'];
    const fit = libraryFit([3, 4, 0], tasks, names); // in the span
    expect(fit.offLibrary).toBeCloseTo(0, 12);
    expect(fit.nearestTasks.map((t) => t.task)).toEqual(['ab', 'b', 'a']);
    expect(fit.nearestTasks[0].similarity).toBeCloseTo(7 / (5 * Math.SQRT2), 12);
    expect(fit.novelty).toBeCloseTo(1 - 7 / (5 * Math.SQRT2), 12);
    expect(libraryFit([0, 0, 2], tasks, names).offLibrary).toBeCloseTo(1, 12);
    expect(libraryFit([1, 0, 1], tasks, names).offLibrary).toBeCloseTo(0.5, 12);
  });

  it("retrieval is the gap between the two nearest tasks over a share of the library's own gap", () => {
    // each task is 1 - 1/sqrt(2) from its nearest other: the library's gap
    expect(
      libraryGap([
        [1, 0, 0],
        [0, 1, 0],
        [1, 1, 0],
      ]),
    ).toBeCloseTo(1 - Math.SQRT1_2, 12);
    const axes = [
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ];
    expect(libraryGap(axes)).toBe(1);
    expect(libraryGap([[1, 2]])).toBe(1);
    const names = ['x', 'y', 'z'];
    expect(libraryFit([1, 1, 0.5], axes, names).retrieval).toBe(0); // x and y tie
    const n = Math.hypot(1, 0.9);
    expect(libraryFit([1, 0.9, 0], axes, names).retrieval).toBeCloseTo((1 / n - 0.9 / n) / RETRIEVAL_SHARE, 12);
    expect(libraryFit([1, 0.2, 0], axes, names).retrieval).toBe(1); // capped
    expect(confidenceScore(0.5, 0.8)).toBeCloseTo(0.4, 12);
    expect(confidenceScore(0.5, -0.2)).toBe(0);
    expect(confidenceScore(0.5, null)).toBe(0.5);
  });
});

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'loragen-confidence-'));
const model = path.join(work, 'model');
const { tasks } = syntheticLibrary();
let fidelity: number[];

describe('on a model trained on cpu', () => {
  beforeAll(async () => {
    await activateBackend('cpu');
    const gen = await LoraGen.fit(tasks, TINY_CONFIG);
    await gen.save(model);
    gen.dispose();
    fidelity = JSON.parse(fs.readFileSync(path.join(model, 'config.json'), 'utf8')).library.fidelity;
  }, 600_000);
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  describe('fidelity kept by fit', () => {
    it("is, per task, the cosine of the generated update with the task's own, and survives save / load", async () => {
      expect(fidelity).toHaveLength(tasks.length);
      // the tiny config reproduces every task of this library with cosine >= 0.93 (tiny-config.ts)
      for (const f of fidelity) expect(f).toBeGreaterThan(0.9);
      const gen = await LoraGen.load(model);
      const sentiment = tasks.findIndex((t) => t.name === 'sentiment-brief');
      const { confidence } = await gen.generate(tasks[sentiment].descriptions[0], { samples: 2 });
      gen.dispose();
      expect(confidence.nearestTasks[0].task).toBe('sentiment-brief');
      expect(confidence.fidelity).toBe(fidelity[sentiment]);
      expect(confidence.score).toBeCloseTo(confidence.retrieval * fidelity[sentiment], 12);
    });

    it('is null for a model saved before it was kept, and a bad one is refused', async () => {
      // every file but the manifest, which writeCheckpointFolder writes anew for the edited config
      const { 'manifest.json': _manifest, ...files } = await readCheckpointFiles(model);
      const config = JSON.parse(new TextDecoder().decode(files['config.json']));
      const withConfig = async (dir: string) => {
        await writeCheckpointFolder(path.join(work, dir), { ...files, 'config.json': new TextEncoder().encode(JSON.stringify(config)) });
        return path.join(work, dir);
      };
      delete config.library.fidelity;
      const gen = await LoraGen.load(await withConfig('old'));
      const { confidence } = await gen.generate('brief sentiment task', { samples: 2 });
      gen.dispose();
      expect(confidence.fidelity).toBeNull();
      expect(confidence.score).toBe(confidence.retrieval);
      config.library.fidelity = [2, 0, 0, 0, 0, 0];
      await expect(LoraGen.load(await withConfig('bad'))).rejects.toThrow(/'library.fidelity' must hold one cosine/);
    });
  });

  describeEachBackend('generate with samples', (backend) => {
    let gen: LoraGen;
    beforeAll(async () => {
      gen = await LoraGen.load(model);
    });
    afterAll(() => gen.dispose());

    it('trusts a library task more than gibberish, and returns the medoid of its samples', async () => {
      const known = await gen.generate(tasks[0].descriptions[0], { samples: 6, seed: 2 });
      const nonsense = await gen.generate('zorblat quiffle vantrax mump', { samples: 6, seed: 2 });
      process.stdout.write(
        `[${backend}] library task ${JSON.stringify(known.confidence)}\n[${backend}] gibberish ${JSON.stringify(nonsense.confidence)}\n`,
      );
      expect(known.samples).toHaveLength(6);
      expect(known.adapter).toBe(known.samples[known.selected]);
      expect(known.selected).toBe(sampleAgreement(known.samples).medoid);
      expect(known.confidence.nearestTasks[0].task).toBe(tasks[0].name);
      expect(known.confidence.agreement).toBeGreaterThan(0.9);
      expect(known.confidence.novelty).toBeLessThan(0.2);
      expect(known.confidence.retrieval).toBe(1);
      expect(known.confidence.score).toBeGreaterThan(0.9);
      expect(nonsense.confidence.offLibrary).toBeGreaterThan(0.8);
      expect(nonsense.confidence.score).toBeLessThan(0.2);
      const first = await gen.generate(tasks[0].descriptions[0], { samples: 6, seed: 2, select: 'first' });
      expect(first.selected).toBe(0);
    });

    it('prints the confidence object from `loragen generate --json --samples 8`', async () => {
      const run = async (description: string, out: string) => {
        const r = await cliGenerate(model, description, path.join(work, out), `--samples 8 --backend ${backend} --json`);
        expect(r.code).toBe(0);
        return JSON.parse(r.out).confidence;
      };
      const known = await run(tasks[0].descriptions[0], `known-${backend}`);
      const nonsense = await run('zorblat quiffle vantrax mump', `nonsense-${backend}`);
      expect(Object.keys(known).sort()).toEqual(['agreement', 'fidelity', 'nearestTasks', 'novelty', 'offLibrary', 'retrieval', 'score']);
      expect(known.nearestTasks[0]).toEqual({ task: tasks[0].name, similarity: expect.any(Number) });
      expect(known.score).toBeGreaterThan(0.9);
      expect(nonsense.score).toBeLessThan(0.2);
    });

    it('refuses one sample, a list of descriptions and an unknown selection', async () => {
      await expect(gen.generate('x', { samples: 1 })).rejects.toThrow(ConfigError);
      await expect(gen.generate(['x', 'y'] as unknown as string, { samples: 2 })).rejects.toThrow(/one description/);
      await expect(gen.generate('x', { samples: 2, select: 'best' as 'first' })).rejects.toThrow(/medoid/);
    });
  });
});
