import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { claimUnitsDir } from '../src/benchmark/units-folder';
import { chooseDemoLibrary } from '../src/benchmark/demo-library';
import { nearestByCosine } from '../src/eval/nearest';
import { adapterDeltas, meanDeltas, mergeDeltas } from '../src/lora/delta';
import { baseWeightName } from '../src/lora/adapter-naming';
import { COMMON_OPTIONS, UsageError } from '@loragen/core/node';
import { defineProgram, programArguments, valueOptions } from '../src/process/program-arguments';
import { createRng, deriveSeed } from '../src/tasks/random';
import type { LoraAdapter } from '@loragen/lora-io';

describe('nearestByCosine', () => {
  it('picks the candidate with the smallest angle, not the largest dot product', () => {
    expect(
      nearestByCosine(
        [1, 0],
        [
          [10, 10],
          [1, 0.1],
          [-1, 0],
        ],
      ),
    ).toBe(1);
    expect(() => nearestByCosine([1, 0], [[1, 0, 0]])).toThrow(/3 dims, the query 2/);
    expect(() => nearestByCosine([1], [])).toThrow(/at least one/);
  });
});

describe('weight deltas', () => {
  const adapter = (scale: number): LoraAdapter => ({
    config: { r: 1, lora_alpha: 2 },
    modules: [
      {
        name: 'base_model.model.w',
        rank: 1,
        alpha: 2,
        scaling: 2,
        dIn: 3,
        dOut: 2,
        A: Float32Array.from([1, 2, 3]),
        B: Float32Array.from([scale, -1]),
      },
    ],
  });

  it('dW = scaling * B A, the mean is element-wise, merging adds to the base weight', () => {
    // B A = [[s, 2s, 3s], [-1, -2, -3]], times scaling 2.
    expect(Array.from(adapterDeltas(adapter(1)).get('w.weight')!)).toEqual([2, 4, 6, -2, -4, -6]);
    const mean = meanDeltas([adapterDeltas(adapter(1)), adapterDeltas(adapter(3))]);
    expect(Array.from(mean.get('w.weight')!)).toEqual([4, 8, 12, -2, -4, -6]);
    const merged = mergeDeltas(new Map([['w.weight', { shape: [2, 3], values: new Float32Array(6).fill(1) }]]), mean);
    expect(Array.from(merged.get('w.weight')!.values)).toEqual([5, 9, 13, -1, -3, -5]);
  });

  it('names what does not fit', () => {
    expect(() => mergeDeltas(new Map(), adapterDeltas(adapter(1)))).toThrow(/updates 'w.weight', which the base model does not have/);
    expect(() => baseWeightName('model.layers.0.q_proj')).toThrow(/does not start with 'base_model.model.'/);
    expect(() => meanDeltas([])).toThrow(/at least one/);
  });
});

describe('program arguments', () => {
  const program = { options: { seed: { type: 'string' }, help: COMMON_OPTIONS.help } as const, usage: 'prog [--seed N]', about: ['What prog does.'] };

  it('parses strictly, answers --help with the usage and the about lines, and reports mistakes with the usage', () => {
    let printed = '';
    const stdout = { write: (s: string) => (printed += s) };
    expect(programArguments(program, ['--seed', '3'], stdout)).toEqual({ seed: '3', help: false });
    expect(programArguments(program, ['--help'], stdout)).toBeUndefined();
    expect(printed).toBe('prog [--seed N]\n\nWhat prog does.\n');
    expect(() => programArguments(program, ['--backend', 'cpu'], stdout)).toThrow(new UsageError("Unknown option '--backend'", 'prog [--seed N]'));
    expect(() => programArguments(program, ['--seed'], stdout)).toThrow(UsageError);
  });

  it('defineProgram adds --help and --debug to the options valueOptions declares', () => {
    const spec = defineProgram({ options: valueOptions('seed', 'out'), usage: 'prog [--seed N] [--out DIR]', about: [] });
    expect(spec.options).toEqual({ seed: { type: 'string' }, out: { type: 'string' }, help: COMMON_OPTIONS.help, debug: COMMON_OPTIONS.debug });
    expect(programArguments(spec, ['--out', 'x', '--debug'], { write: () => true })).toEqual({ out: 'x', help: false, debug: true });
  });
});

describe('seeded randomness', () => {
  it('repeats for a seed, differs across seeds and labels, and is roughly uniform', () => {
    const draw = (seed: number) => Array.from({ length: 5 }, createRng(seed).next);
    const a = createRng(1);
    const b = createRng(1);
    expect(Array.from({ length: 5 }, a.next)).toEqual(Array.from({ length: 5 }, b.next));
    expect(draw(1)).not.toEqual(draw(2));
    expect(deriveSeed('x', 1)).not.toBe(deriveSeed('y', 1));
    const rng = createRng(3);
    const counts = new Array(10).fill(0);
    for (let i = 0; i < 10000; i++) counts[rng.int(0, 9)]++;
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(150);
  });
});

describe('bench:paper units folder', () => {
  it('records the run settings once, accepts the same again and refuses other settings by name', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'units-'));
    try {
      const settings = { backend: 'wasm', 'autoencoder-steps': '8000', config: '{}' };
      await claimUnitsDir(join(dir, 'u'), settings);
      expect(JSON.parse(await readFile(join(dir, 'u', 'run.json'), 'utf8'))).toEqual(settings);
      await expect(claimUnitsDir(join(dir, 'u'), { ...settings })).resolves.toBeUndefined();
      await expect(claimUnitsDir(join(dir, 'u'), { ...settings, 'autoencoder-steps': '100' })).rejects.toThrow(
        /autoencoder-steps: 8000 there, 100 now/,
      );
      await expect(claimUnitsDir(join(dir, 'u'), { backend: 'wasm', config: '{}' })).rejects.toThrow(UsageError);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the demo library choice', () => {
  const row = (method: string, zeroShot: number) => ({
    method,
    inDistribution: { mean: 0, std: 0 },
    inDistributionNewWording: { mean: 0, std: 0 },
    zeroShot: { mean: zeroShot, std: 0 },
  });
  const library = (name: string, loragen: number, base: number) => ({ name, rows: [row('base', base), row('loragen', loragen)] });

  it("takes the library with LoRAGen's largest zero-shot margin over base, and says so", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'choice-'));
    try {
      const file = join(dir, 'results.json');
      await writeFile(file, JSON.stringify({ libraries: [library('digits', 50.6, 49.8), library('skills', 83, 69.8)] }));
      const choice = await chooseDemoLibrary(file);
      expect(choice.name).toBe('skills');
      expect(choice.reason).toContain('skills +13.2, digits +0.8');
      await writeFile(file, JSON.stringify({ libraries: [library('digits', 60, 49.8), library('skills', 70, 69.8)] }));
      expect((await chooseDemoLibrary(file)).name).toBe('digits');
      expect(await chooseDemoLibrary(join(dir, 'none.json'))).toEqual({
        name: 'skills',
        reason: expect.stringMatching(/no readable benchmark results/),
      });
      await writeFile(file, JSON.stringify({ libraries: [{ name: 'skills', rows: [row('base', 50)] }] }));
      expect((await chooseDemoLibrary(file)).reason).toMatch(/no zero-shot loragen and base results/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
