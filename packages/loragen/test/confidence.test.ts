// Confidence of a generated adapter (generate with `samples`): its parts in closed form, then on a trained model a
// library task (samples agree, the library covers it) against gibberish (the library covers none of it).
import type { LoraAdapter } from '@loragen/lora-io';
import { ConfigError, libraryFit, LoraGen, sampleAgreement, confidenceScore } from '../src';
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
    expect(confidenceScore(0.9, 0.5)).toBeCloseTo(0.45, 12);
    expect(confidenceScore(-0.2, 0)).toBe(0);
  });
});

describe('generate with samples', () => {
  const { tasks } = syntheticLibrary();
  let gen: LoraGen;
  beforeAll(async () => {
    gen = await LoraGen.fit(tasks, TINY_CONFIG);
  }, 120_000);
  afterAll(() => gen.dispose());

  it('trusts a library task more than gibberish, and returns the medoid of its samples', async () => {
    const known = await gen.generate(tasks[0].descriptions[0], { samples: 6, seed: 2 });
    const nonsense = await gen.generate('zorblat quiffle vantrax mump', { samples: 6, seed: 2 });
    process.stdout.write(`library task ${JSON.stringify(known.confidence)}\ngibberish ${JSON.stringify(nonsense.confidence)}\n`);
    expect(known.samples).toHaveLength(6);
    expect(known.adapter).toBe(known.samples[known.selected]);
    expect(known.selected).toBe(sampleAgreement(known.samples).medoid);
    expect(known.confidence.nearestTasks[0].task).toBe(tasks[0].name);
    expect(known.confidence.agreement).toBeGreaterThan(0.9);
    expect(known.confidence.novelty).toBeLessThan(0.2);
    expect(nonsense.confidence.offLibrary).toBeGreaterThan(0.8);
    expect(nonsense.confidence.score).toBeLessThan(0.2);
    expect(known.confidence.score).toBeGreaterThan(nonsense.confidence.score + 0.4);
    const first = await gen.generate(tasks[0].descriptions[0], { samples: 6, seed: 2, select: 'first' });
    expect(first.selected).toBe(0);
  });

  it('refuses one sample, a list of descriptions and an unknown selection', async () => {
    await expect(gen.generate('x', { samples: 1 })).rejects.toThrow(ConfigError);
    await expect(gen.generate(['x', 'y'] as unknown as string, { samples: 2 })).rejects.toThrow(/one description/);
    await expect(gen.generate('x', { samples: 2, select: 'best' as 'first' })).rejects.toThrow(/medoid/);
  });
});
