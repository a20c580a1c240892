// Library combinations (config `combinations`): the synthetic tasks dW_a + dW_b - dW_c, their conditions, the
// batches that mix them with the library, and that a library of parts named by its descriptions gains from them.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildFactorSet, LoraGen, resolveConfig, type FactorSet } from '../src';
import { combinedConditions, diffusionLibraryShare, drawCombinations, trainingRows, withCombinations } from '../src/data/library-combinations';
import { drawBatch, drawSplitBatch, drawWithReplacement } from '../src/training/batches';
import { trainingRng } from '../src/training/training-rng';
import { syntheticLibrary } from './helpers/synthetic-library';
import { TINY_CONFIG } from './helpers/tiny-config';

/** Dense B A (float64) of row `row` (task-major, then layer) of module type `t` in a factor set. */
function dense(data: FactorSet, t: number, row: number): Float64Array {
  const { rank, dIn, dOut } = data.layout.moduleTypes[t];
  const A = data.factors[t].A.subarray(row * rank * dIn, (row + 1) * rank * dIn);
  const B = data.factors[t].B.subarray(row * dOut * rank, (row + 1) * dOut * rank);
  const out = new Float64Array(dOut * dIn);
  for (let o = 0; o < dOut; o++) for (let r = 0; r < rank; r++) for (let i = 0; i < dIn; i++) out[o * dIn + i] += B[o * rank + r] * A[r * dIn + i];
  return out;
}

const dot = (x: Float64Array, y: Float64Array) => x.reduce((s, v, i) => s + v * y[i], 0);

describe('drawCombinations', () => {
  it('draws three distinct parents weighted 1, 1, -1, fixed by the seed, none for count 0', () => {
    const a = drawCombinations(6, 50, 3);
    expect(a).toHaveLength(50);
    for (const c of a) {
      expect(new Set(c.parents).size).toBe(3);
      expect(c.parents.every((p) => p >= 0 && p < 6)).toBe(true);
      expect(c.weights).toEqual([1, 1, -1]);
    }
    expect(drawCombinations(6, 50, 3)).toEqual(a);
    expect(drawCombinations(6, 50, 4)).not.toEqual(a);
    expect(drawCombinations(2, 0, 3)).toEqual([]);
    expect(() => drawCombinations(2, 1, 3)).toThrow(/at least 3 library tasks/);
  });
});

describe('withCombinations', () => {
  it('gives a combination of parts the update of the task those parts make, exactly (within rank)', async () => {
    // (sentiment, brief) + (arithmetic, detailed) - (sentiment, detailed) = (arithmetic, brief), rank 2
    const data = await buildFactorSet(syntheticLibrary().tasks);
    const id = (name: string) => data.taskNames.indexOf(name);
    const combo = { parents: [id('sentiment-brief'), id('arithmetic-detailed'), id('sentiment-detailed')], weights: [1, 1, -1] };
    const out = await withCombinations(data, [combo]);
    expect(trainingRows(out)).toBe(data.taskNames.length + 1);
    expect(out.taskNames).toEqual(data.taskNames);
    const L = data.layout.layers;
    data.layout.moduleTypes.forEach((_, t) => {
      for (let l = 0; l < L; l++) {
        const got = dense(out, t, data.taskNames.length * L + l);
        const want = dense(data, t, id('arithmetic-brief') * L + l);
        const err = Math.sqrt(
          dot(
            Float64Array.from(got, (g, i) => g - want[i]),
            Float64Array.from(got, (g, i) => g - want[i]),
          ),
        );
        expect(err / Math.sqrt(dot(want, want))).toBeLessThan(1e-4);
      }
      // the library's own rows are untouched
      expect(out.factors[t].A.subarray(0, data.factors[t].A.length)).toEqual(data.factors[t].A);
    });
  });

  it('keeps the best rank-r part of a sum of higher rank: the residual is orthogonal to it and it is not larger', async () => {
    const data = await buildFactorSet(syntheticLibrary({ seed: 5 }).tasks);
    const combos = drawCombinations(data.taskNames.length, 6, 9);
    const out = await withCombinations(data, combos);
    const L = data.layout.layers;
    combos.forEach((c, n) => {
      data.layout.moduleTypes.forEach((_, t) => {
        for (let l = 0; l < L; l++) {
          const exact = new Float64Array(dense(data, t, 0).length);
          c.parents.forEach((p, k) => dense(data, t, p * L + l).forEach((x, i) => (exact[i] += c.weights[k] * x)));
          const kept = dense(out, t, (data.taskNames.length + n) * L + l);
          const residual = Float64Array.from(exact, (x, i) => x - kept[i]);
          expect(Math.abs(dot(residual, kept))).toBeLessThan(1e-4 * dot(exact, exact));
          expect(dot(kept, kept)).toBeLessThanOrEqual(dot(exact, exact) * (1 + 1e-5));
          // the sum of three rank-2 updates has rank up to 6 > 2: something is dropped
          expect(dot(residual, residual)).toBeGreaterThan(1e-6 * dot(exact, exact));
        }
      });
    });
  });
});

describe('combinedConditions and mixed batches', () => {
  it("combine the parents' condition rows with their weights", () => {
    const rows = Float32Array.from([1, 0, 0, 1, 2, 2]); // three tasks of dim 2
    expect(Array.from(combinedConditions(rows, 2, [{ parents: [0, 1, 2], weights: [1, 1, -1] }]))).toEqual([-1, -1]);
    expect(combinedConditions(rows, 2, [])).toHaveLength(0);
  });

  it('draw the library share of a batch from the library and the rest from the combinations; no combinations, the old draws', () => {
    const split = { library: 10, extra: 40, libraryShare: 0.25 };
    const idx = drawSplitBatch(trainingRng(1), split, 16, drawWithReplacement);
    expect(idx.filter((i) => i < 10)).toHaveLength(4);
    expect(idx.every((i) => i >= 0 && i < 50)).toBe(true);
    expect(drawSplitBatch(trainingRng(2), { library: 10, extra: 0, libraryShare: 0.25 }, 6, drawBatch)).toEqual(drawBatch(trainingRng(2), 10, 6));
  });

  it('is off by default (the paper) and validated', () => {
    expect(resolveConfig({}).combinations).toEqual({ count: 0, libraryShare: 0.5 });
    expect(() => resolveConfig({ combinations: { count: -1 } })).toThrow(/combinations/);
    expect(() => resolveConfig({ combinations: { libraryShare: 2 } })).toThrow(/libraryShare/);
    expect(() => resolveConfig({ combinations: { diffusionLibraryShare: -0.1 } })).toThrow(/diffusionLibraryShare/);
  });

  it("give stage 2 its own library share when set, stage 1's otherwise", () => {
    expect(diffusionLibraryShare(resolveConfig({ combinations: { count: 4, libraryShare: 0.3 } }).combinations)).toBe(0.3);
    expect(diffusionLibraryShare(resolveConfig({ combinations: { count: 4, diffusionLibraryShare: 0.75 } }).combinations)).toBe(0.75);
  });
});

describe('LoRAGen with library combinations', () => {
  it('trains on them (stage 2 sees a latent per combination) and keeps only the library in the model', async () => {
    const { tasks } = syntheticLibrary();
    const quick = { ...TINY_CONFIG, autoencoder: { ...TINY_CONFIG.autoencoder, steps: 3 }, diffusion: { ...TINY_CONFIG.diffusion, steps: 3 } };
    const seen: string[] = [];
    const gen = await LoraGen.fit(tasks, { ...quick, combinations: { count: 12, libraryShare: 0.5 } }, { onProgress: (p) => seen.push(p.stage) });
    try {
      expect(seen).toContain('diffusion');
      expect(gen.config.combinations).toEqual({ count: 12, libraryShare: 0.5 });
      const adapter = await gen.generate(tasks[0].descriptions[0]);
      expect(adapter.modules.map((m) => m.name)).toEqual(tasks[0].adapter.modules.map((m) => m.name));
      // anchoring and nearest-task lookups read the saved library: its tasks, not the combinations
      const dir = await mkdtemp(join(tmpdir(), 'combinations-'));
      await gen.save(dir);
      const saved = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8'));
      await rm(dir, { recursive: true, force: true });
      expect(saved.library.taskNames).toEqual(tasks.map((t) => t.name));
    } finally {
      gen.dispose();
    }
  }, 60_000);
});
