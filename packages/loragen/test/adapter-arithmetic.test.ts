// `loragen merge` / `loragen compress` end to end through PEFT folders: inputs of different ranks, alphas, rsLoRA and
// fan_in_fan_out, read back with readPeftAdapter and checked against float64 dense references computed here (the
// weighted sum formed densely, its singular values by a plain one-sided Jacobi SVD); `loragen inspect` shows the
// ranks; bad inputs exit 3 with a typed error, bad command lines 2.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loraScaling, type LoraAdapter, type LoraModule } from '@loragen/lora-io';
import { readPeftAdapter, writePeftAdapter } from '@loragen/lora-io/node';
import { describeEachBackend } from '@loragen/test-utils';
import { mergeAdapters } from '../src';
import { FIXTURES } from './helpers/paths';
import { cli } from './helpers/run-cli';

type Dense = Float64Array; // row-major dOut x dIn

/** scaling B A in float64. */
function dense(m: LoraModule, weight = 1): Dense {
  const out = new Float64Array(m.dOut * m.dIn);
  for (let i = 0; i < m.dOut; i++) {
    for (let k = 0; k < m.rank; k++) {
      const b = weight * m.scaling * m.B[i * m.rank + k];
      for (let j = 0; j < m.dIn; j++) out[i * m.dIn + j] += b * m.A[k * m.dIn + j];
    }
  }
  return out;
}
const sum = (xs: Dense[]) => xs.reduce((acc, x) => acc.map((v, i) => v + x[i]));
const frobenius = (x: Dense) => Math.sqrt(x.reduce((s, v) => s + v * v, 0));
const minus = (x: Dense, y: Dense) => x.map((v, i) => v - y[i]);

/** All singular values of a dOut x dIn matrix, descending: one-sided Jacobi on its columns to convergence. */
function singularValues(x: Dense, rows: number, cols: number): number[] {
  const c = Array.from({ length: cols }, (_, j) => Array.from({ length: rows }, (_, i) => x[i * cols + j]));
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    for (let p = 0; p < cols; p++) {
      for (let q = p + 1; q < cols; q++) {
        let [a, b, g] = [0, 0, 0];
        for (let i = 0; i < rows; i++) [a, b, g] = [a + c[p][i] ** 2, b + c[q][i] ** 2, g + c[p][i] * c[q][i]];
        if (Math.abs(g) <= 1e-300) continue;
        off = Math.max(off, Math.abs(g) / Math.sqrt(a * b));
        const zeta = (b - a) / (2 * g);
        const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const [cs, sn] = [1 / Math.sqrt(1 + t * t), t / Math.sqrt(1 + t * t)];
        for (let i = 0; i < rows; i++) [c[p][i], c[q][i]] = [cs * c[p][i] - sn * c[q][i], sn * c[p][i] + cs * c[q][i]];
      }
    }
    if (off < 1e-15) break;
  }
  return c.map((col) => Math.sqrt(col.reduce((s, v) => s + v * v, 0))).sort((u, v) => v - u);
}

const random = (seed: number) => () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32 - 0.5;
/** The fixture's modules with new factors of another rank and alpha (and optionally rsLoRA / fan_in_fan_out). */
function sibling(base: LoraAdapter, rank: number, alpha: number, seed: number, config: Partial<LoraAdapter['config']> = {}): LoraAdapter {
  const next = random(seed);
  return {
    config: { ...base.config, r: rank, lora_alpha: alpha, use_rslora: false, ...config },
    modules: base.modules.map((m) => ({
      ...m,
      rank,
      alpha,
      scaling: loraScaling(alpha, rank, config.use_rslora === true),
      A: Float32Array.from({ length: rank * m.dIn }, next),
      B: Float32Array.from({ length: m.dOut * rank }, next),
    })),
  };
}

describeEachBackend('loragen merge and compress', (backend) => {
  let work: string;
  let inputs: string[];
  let adapters: LoraAdapter[];
  const weights = [0.5, -1, 2];
  const exact = (name: string) =>
    sum(
      adapters.map((a, i) =>
        dense(
          a.modules.find((m) => m.name === name)!,
          weights[i],
        ),
      ),
    );

  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'loragen-arithmetic-'));
    const base = await readPeftAdapter(path.join(FIXTURES, 'peft', 'gemma2-qv-r4-rslora')); // r 4, alpha 16, rsLoRA
    adapters = [base, sibling(base, 2, 3, 11), sibling(base, 3, 6, 12, { fan_in_fan_out: true })];
    inputs = [path.join(FIXTURES, 'peft', 'gemma2-qv-r4-rslora'), path.join(work, 'b'), path.join(work, 'c')];
    await writePeftAdapter(inputs[1], adapters[1]);
    await writePeftAdapter(inputs[2], adapters[2]);
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  const run = async (args: string[]) => {
    const r = await cli([...args, '--backend', backend, '--json']);
    if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.out}${r.err}`);
    return JSON.parse(r.out) as { out: string; modules: { name: string; rank: number; energy: number; relativeError: number }[] };
  };

  it('merge without a budget is exact (1e-6) at rank sum r_i, whatever the inputs ranks, alphas, rsLoRA, fan_in_fan_out', async () => {
    const out = path.join(work, 'concat');
    const report = await run(['merge', ...inputs, '--weights', weights.join(','), '--out', out]);
    expect(Object.keys(report)).toEqual(['out', 'modules']);
    expect(report.out).toBe(out);
    const merged = await readPeftAdapter(out);
    expect(merged.modules.map((m) => m.name)).toEqual(adapters[0].modules.map((m) => m.name));
    for (const [i, m] of merged.modules.entries()) {
      expect(report.modules[i]).toEqual({ name: m.name, rank: 9, energy: 1, relativeError: 0 });
      expect([m.rank, m.scaling]).toEqual([9, 1]);
      const want = exact(m.name);
      expect(frobenius(minus(dense(m), want)) / frobenius(want)).toBeLessThan(1e-6);
    }
  });

  it('merge --rank: the best rank-k approximation of the exact sum (Eckart-Young, 1e-5), as reported', async () => {
    const out = path.join(work, 'rank3');
    const report = await run(['merge', ...inputs, '--weights', weights.join(','), '--rank', '3', '--out', out]);
    const merged = await readPeftAdapter(out);
    for (const [i, m] of merged.modules.entries()) {
      const want = exact(m.name);
      const sigma = singularValues(want, m.dOut, m.dIn);
      const dropped = Math.sqrt(sigma.slice(3).reduce((s, v) => s + v * v, 0));
      expect([m.rank, m.scaling, report.modules[i].rank]).toEqual([3, 1, 3]);
      expect(Math.abs(frobenius(minus(dense(m), want)) - dropped)).toBeLessThanOrEqual(1e-5 * dropped);
      expect(Math.abs(report.modules[i].relativeError - dropped / frobenius(want))).toBeLessThanOrEqual(1e-5 * (dropped / frobenius(want)));
      expect(Math.abs(report.modules[i].energy - (1 - (dropped / frobenius(want)) ** 2))).toBeLessThan(1e-6);
    }
  });

  it('merge --energy picks ranks per module; rank_pattern / alpha_pattern carry them; inspect shows them', async () => {
    const out = path.join(work, 'energy');
    const report = await run(['merge', ...inputs, '--weights', weights.join(','), '--energy', '0.95', '--out', out]);
    const merged = await readPeftAdapter(out);
    const ranks = report.modules.map((m) => m.rank);
    expect(new Set(ranks).size).toBeGreaterThan(1); // else the patterns below are not exercised
    for (const [i, m] of merged.modules.entries()) {
      const want = exact(m.name);
      const sigma = singularValues(want, m.dOut, m.dIn);
      const total = sigma.reduce((s, v) => s + v * v, 0);
      let k = 0;
      for (let kept = 0; kept < 0.95 * total; k++) kept += sigma[k] ** 2;
      expect([m.rank, m.scaling, ranks[i]]).toEqual([k, 1, k]);
      const dropped = Math.sqrt(sigma.slice(k).reduce((s, v) => s + v * v, 0));
      expect(Math.abs(frobenius(minus(dense(m), want)) - dropped)).toBeLessThanOrEqual(1e-5 * dropped);
    }
    const config = JSON.parse(fs.readFileSync(path.join(out, 'adapter_config.json'), 'utf8'));
    const r = config.r as number;
    expect(Object.values(config.rank_pattern).sort()).toEqual(ranks.filter((x) => x !== r).sort());
    expect(config.alpha_pattern).toEqual(config.rank_pattern);
    const inspect = JSON.parse((await cli(['inspect', out, '--json'])).out) as { modules: { rank: number; scaling: number }[] };
    expect(inspect.modules.map((m) => [m.rank, m.scaling])).toEqual(ranks.map((k) => [k, 1]));
  });

  it('compress --rank and --energy re-rank one adapter from its factors (Eckart-Young, 1e-5)', async () => {
    for (const [flag, value] of [
      ['--rank', '2'],
      ['--energy', '0.7'],
    ]) {
      const out = path.join(work, `compress${flag}`);
      const report = await run(['compress', inputs[0], flag, value, '--out', out]);
      const compressed = await readPeftAdapter(out);
      for (const [i, m] of compressed.modules.entries()) {
        const want = dense(adapters[0].modules[i]);
        const sigma = singularValues(want, m.dOut, m.dIn);
        const total = sigma.reduce((s, v) => s + v * v, 0);
        let k = 0;
        for (let kept = 0; flag === '--rank' ? k < 2 : kept < 0.7 * total; k++) kept += sigma[k] ** 2;
        expect([m.rank, report.modules[i].rank]).toEqual([k, k]);
        const dropped = Math.sqrt(sigma.slice(k).reduce((s, v) => s + v * v, 0));
        expect(Math.abs(frobenius(minus(dense(m), want)) - dropped)).toBeLessThanOrEqual(1e-5 * dropped);
      }
    }
  });

  it('compress --rank above the rank keeps the update exactly; BF16 output', async () => {
    const out = path.join(work, 'bf16');
    await run(['compress', inputs[2], '--rank', '8', '--dtype', 'BF16', '--out', out]);
    const merged = await readPeftAdapter(out);
    for (const [i, m] of merged.modules.entries()) {
      const want = dense(adapters[2].modules[i]);
      expect(m.rank).toBe(3);
      expect(frobenius(minus(dense(m), want)) / frobenius(want)).toBeLessThan(1e-2); // bf16 keeps 8 bits
    }
  });
});

describe('loragen merge and compress: bad input', () => {
  let work: string;
  const gemma = path.join(FIXTURES, 'peft', 'gemma2-qv-r4-rslora');
  beforeAll(() => (work = fs.mkdtempSync(path.join(os.tmpdir(), 'loragen-arithmetic-bad-'))));
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it('exits 3 naming the module for adapters of different layouts, and for DoRA with a hint', async () => {
    const mixed = await cli(['merge', gemma, path.join(FIXTURES, 'peft', 't5-qv-r4'), '--out', path.join(work, 'x'), '--backend', 'cpu', '--json']);
    expect(mixed.code).toBe(3);
    const error = JSON.parse(mixed.out).error;
    expect(error.name).toBe('AdapterLayoutError');
    expect(error.message).toMatch(
      /module 'base_model\.model\.model\.layers\.0\.self_attn\.q_proj' is in .*gemma2-qv-r4-rslora but not in .*t5-qv-r4/,
    );
    expect(error.hint).toMatch(/same base model/);
    const base = await readPeftAdapter(gemma);
    const dora = path.join(work, 'dora');
    await writePeftAdapter(dora, {
      config: { ...base.config, use_dora: true },
      modules: base.modules.map((m) => ({ ...m, magnitude: new Float32Array(m.dOut).fill(1) })),
    });
    const refused = await cli(['compress', dora, '--rank', '2', '--out', path.join(work, 'y'), '--backend', 'cpu', '--json']);
    expect(refused.code).toBe(3);
    expect(JSON.parse(refused.out).error).toMatchObject({ name: 'AdapterFormatError', hint: expect.stringMatching(/merge_and_unload/) });
    expect(fs.existsSync(path.join(work, 'y'))).toBe(false);
  });

  it('exits 2 for contradictory or malformed options', async () => {
    const out = ['--out', path.join(work, 'z')];
    for (const args of [
      ['merge', gemma, gemma, '--rank', '2', '--energy', '0.5', ...out],
      ['merge', gemma, gemma, '--weights', '1', ...out],
      ['merge', gemma, gemma, '--weights', '1,x', ...out],
      ['merge', gemma, '--energy', '1.5', ...out],
      ['merge', gemma, '--rank', '0', ...out],
      ['merge', gemma],
      ['merge', ...out],
      ['compress', gemma, ...out],
      ['compress', gemma, gemma, '--rank', '2', ...out],
    ]) {
      expect([args.join(' '), (await cli(args)).code]).toEqual([args.join(' '), 2]);
    }
  });

  it('mergeAdapters reports progress per batch of modules', async () => {
    const base = await readPeftAdapter(gemma);
    const seen: number[][] = [];
    const result = await mergeAdapters([base, base], { rank: 2, onProgress: (done, total) => seen.push([done, total]) });
    expect(seen.at(-1)).toEqual([4, 4]);
    expect(result.modules.map((m) => m.rank)).toEqual([2, 2, 2, 2]);
  });
});
