import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { observeLibrary, pearson } from '../src/analysis/observations';
import { runCli } from '../src/cli/run';
import { syntheticLibrary } from './helpers/synthetic-library';
import { writeLibrary } from './helpers/write-library';

describe('loragen analyze', () => {
  it('pearson matches a hand computation', () => {
    // x = [1, 2, 3], y = [2, 4, 5]: sum dx dy = 3, sum dx^2 = 2, sum dy^2 = 14 / 3
    expect(pearson([1, 2, 3], [2, 4, 5])).toBeCloseTo(3 / Math.sqrt(2 * (14 / 3)), 12);
  });

  it('finds Obs-1 on a library with planted structure: descriptions track dW, not the gauged factors', () => {
    const { tasks } = syntheticLibrary({ seed: 4, gaugeStrength: 4 });
    const obs = observeLibrary(tasks);
    expect(obs.pairs).toHaveLength((tasks.length * (tasks.length - 1)) / 2);
    expect(obs.correlation.deltaW).toBeGreaterThan(0.5);
    expect(obs.correlation.deltaW).toBeGreaterThan(obs.correlation.factors + 0.2);
    expect(obs.entropyByModuleType.map((e) => e.moduleType)).toEqual(['self_attn.q_proj', 'self_attn.v_proj']);
    // rank-2 updates: entropy between 0 (rank one) and ln 2 (two equal singular values)
    for (const e of obs.entropyByModuleType) expect(e.mean > 0 && e.mean <= Math.log(2) + 1e-9).toBe(true);
  });

  it('writes report.md, the SVG charts and analysis.json', async () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'loragen-analyze-'));
    try {
      await writeLibrary(path.join(work, 'lib'), syntheticLibrary().tasks);
      let out = '';
      const code = await runCli(['analyze', '--library', path.join(work, 'lib'), '--out', path.join(work, 'report'), '--json'], {
        stdout: { write: (s: string) => (out += s) },
        stderr: { write: () => true },
      });
      expect(code).toBe(0);
      expect(JSON.parse(out).correlation.deltaW).toBeGreaterThan(0.5);
      const files = fs.readdirSync(path.join(work, 'report')).sort();
      expect(files).toEqual(['analysis.json', 'obs1-deltaw.svg', 'obs1-factors.svg', 'obs2-entropy.svg', 'report.md']);
      expect(fs.readFileSync(path.join(work, 'report', 'obs2-entropy.svg'), 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>\n$/);
      expect(fs.readFileSync(path.join(work, 'report', 'report.md'), 'utf8')).toMatch(/Observation 1[\s\S]*Observation 2/);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
});
