import * as fs from 'node:fs';
import * as path from 'node:path';
import { expectClose } from '@loragen/test-utils';
import { FIXTURES, PEFT_CASES } from './helpers/paths';
import { cli } from './helpers/run-cli';

interface Reference {
  modules: Record<string, { A_shape: number[]; B_shape: number[]; scaling: number; dW_fro: number; dW_top_sv: number[] }>;
  lora: { r: number; lora_alpha: number };
}

describe('loragen inspect', () => {
  it.each(PEFT_CASES)('matches reference.json of %s', async (name) => {
    const dir = path.join(FIXTURES, 'peft', name);
    const ref = JSON.parse(fs.readFileSync(path.join(dir, 'reference.json'), 'utf8')) as Reference;
    const { code, out } = await cli(['inspect', dir, '--json']);
    expect(code).toBe(0);
    const report = JSON.parse(out) as { modules: Record<string, unknown>[] };
    expect(Object.keys(report)).toEqual(['modules']);
    expect(report.modules.map((m) => m.name).sort()).toEqual(Object.keys(ref.modules).sort());
    for (const m of report.modules) {
      expect(Object.keys(m)).toEqual(['name', 'rank', 'alpha', 'scaling', 'dIn', 'dOut', 'deltaNorm', 'topSingularValues']);
      const r = ref.modules[m.name as string];
      expect(m.scaling).toBe(r.scaling);
      expect([m.rank, m.dIn]).toEqual(r.A_shape);
      expect([m.dOut, m.rank]).toEqual(r.B_shape);
      expect(m.alpha).toBe(ref.lora.lora_alpha);
      expectClose(m.deltaNorm as number, r.dW_fro, { rtol: 1e-4 });
      expectClose(m.topSingularValues as number[], r.dW_top_sv, { rtol: 1e-4 });
    }
  });

  it('prints a table with spectral entropy without --json', async () => {
    const { code, out } = await cli(['inspect', path.join(FIXTURES, 'peft', 't5-qv-r4')]);
    expect(code).toBe(0);
    expect(out).toMatch(/spectral entropy/);
    expect(out.split('\n').length).toBeGreaterThan(12);
  });

  it('exits 3 with a typed error for a missing folder, 2 for bad usage', async () => {
    const missing = await cli(['inspect', path.join(FIXTURES, 'peft', 'no-such-adapter'), '--json']);
    expect(missing.code).toBe(3);
    expect(JSON.parse(missing.out).error.name).toMatch(/Error$/);
    expect((await cli(['inspect'])).code).toBe(2);
    expect((await cli(['inspect', 'a', '--bogus'])).code).toBe(2);
    expect((await cli(['frobnicate'])).code).toBe(2);
  });
});
