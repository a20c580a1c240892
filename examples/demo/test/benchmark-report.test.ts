import { METHOD_IDS, type MethodId } from '../src/benchmark/methods';
import { checkClaims } from '../src/benchmark/paper-claims';
import { resultsChart } from '../src/benchmark/report-chart';
import { resultsMarkdown } from '../src/benchmark/report-markdown';
import { meanStd, summarise } from '../src/benchmark/summary';
import type { SeedAccuracies } from '../src/benchmark/experiment';

const inDistribution = ['a', 'b'];
const zeroShot = ['z'];

/** Per seed: accuracy = offset of the method + seed, with task 'b' 10 points above 'a'. */
function seedResult(seed: number): SeedAccuracies {
  return new Map(
    METHOD_IDS.map((method, m) => {
      const tasks = method === 'task-lora' ? inDistribution : [...inDistribution, ...zeroShot];
      return [method, new Map(tasks.map((t) => [t, 40 + m * 5 + seed + (t === 'b' ? 10 : 0)]))] as [MethodId, Map<string, number>];
    }),
  );
}

describe('benchmark summary', () => {
  it('meanStd is the mean and the n-1 standard deviation', () => {
    expect(meanStd([1, 2, 3, 4])).toEqual({ mean: 2.5, std: 1.29 });
    expect(meanStd([7])).toEqual({ mean: 7, std: 0 });
    expect(() => meanStd([])).toThrow(/no values/);
  });

  it('has the exact results.json shape, averaging tasks within a seed and then over seeds', () => {
    const results = summarise([1, 2, 3].map(seedResult), { inDistribution, zeroShot }, METHOD_IDS, { seconds: 12.4, backend: 'wasm' });
    expect(Object.keys(results)).toEqual(['seeds', 'tasks', 'rows', 'seconds', 'backend']);
    expect(results.tasks).toEqual({ inDistribution: 2, zeroShot: 1 });
    expect(results.seconds).toBe(12);
    expect(results.rows.map((r) => r.method)).toEqual([...METHOD_IDS]);
    // base (m = 0): in-distribution per seed = 40 + seed + 5 -> 46, 47, 48; zero-shot = 40 + seed -> 41, 42, 43.
    expect(results.rows[0]).toEqual({ method: 'base', inDistribution: { mean: 47, std: 1 }, zeroShot: { mean: 42, std: 1 } });
    expect(results.rows.find((r) => r.method === 'task-lora')!.zeroShot).toBeNull();
  });

  it('refuses a method measured on only part of a split', () => {
    const partial = seedResult(1);
    partial.get('loragen')!.delete('a');
    expect(() => summarise([partial], { inDistribution, zeroShot }, METHOD_IDS, { seconds: 1, backend: 'cpu' })).toThrow(/1 of 2 tasks/);
  });
});

describe('paper claims and report', () => {
  const results = summarise([1, 2, 3].map(seedResult), { inDistribution, zeroShot }, METHOD_IDS, { seconds: 5, backend: 'wasm' });

  it('computes the recovered share of the task-LoRA gain and the zero-shot margins', () => {
    // base 47, task-lora (m = 3) 62, loragen (m = 4) 67: recovery (67 - 47) / (62 - 47) = 133.3%.
    const [recovery, overFactor, overAverage] = checkClaims(results);
    expect(recovery.measured.startsWith('133.3%')).toBe(true);
    expect(recovery.met).toBe(true);
    // zero-shot: loragen 62, factor-supervision (m = 7) 77, average-lora (m = 1) 47.
    expect(overFactor).toMatchObject({ measured: '-15.00 points', met: false });
    expect(overAverage).toMatchObject({ measured: '15.00 points', met: true });
  });

  it('puts every method beside the paper numbers and links the chart', () => {
    const md = resultsMarkdown(results, ['a note']);
    for (const m of METHOD_IDS) expect(md).toContain(`| \`${m}\` |`);
    expect(md).toContain('| `loragen` | 67.0 ± 1.0 | 62.0 ± 1.0 | 96.0 | 40.2 |');
    expect(md).toContain('a note');
    expect(md).toContain('results.svg');
  });

  it('draws one labelled group per method, without bars for missing values', () => {
    const svg = resultsChart(results);
    expect(svg.startsWith('<svg')).toBe(true);
    for (const m of METHOD_IDS) expect(svg).toContain(`>${m}</text>`);
    expect(svg.match(/<rect [^>]*><title>/g)!.length).toBe(2 * METHOD_IDS.length - 1);
  });
});
