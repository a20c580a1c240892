import { LORAGEN_VARIANTS, METHOD_IDS, type MethodId } from '../src/benchmark/methods';
import { checkClaims } from '../src/benchmark/paper-claims';
import { resultsChart } from '../src/benchmark/report-chart';
import { resultsMarkdown } from '../src/benchmark/report-markdown';
import { meanStd, summarise, type LibraryResults, type PaperResults } from '../src/benchmark/summary';
import type { LibraryName } from '../src/benchmark/libraries';
import { mergeSeedResults } from '../src/benchmark/seed-file';
import type { SeedAccuracies, SeedResult } from '../src/benchmark/experiment';
import { summariseConfidence } from '../src/benchmark/confidence-summary';

const inDistribution = ['a', 'b'];
const zeroShot = ['z'];

/**
 * Per seed: accuracy = offset of the method + seed, with task 'b' 10 points above 'a'; under held-out wordings
 * 2 points lower. Ledger: round trip 1 point under task-lora, tasks 'a' retrieved and 'b' not, latent error
 * 0.1 x seed.
 */
/** m of each method in the numbers above (its place in the benchmark's first eight methods, then the later ones). */
const LEVEL: Record<MethodId, number> = {
  base: 0,
  'average-lora': 1,
  'nearest-description': 2,
  'task-lora': 3,
  loragen: 4,
  'loragen-shared-decoder': 5,
  'loragen-spectral-only': 6,
  'loragen-factor-supervision': 7,
  'ridge-dw': 8,
  't2l-hypernetwork': 9,
  'oracle-span': 10,
};

function seedResult(seed: number): SeedResult {
  const table = (shift: number): SeedAccuracies =>
    new Map(
      METHOD_IDS.map((method) => {
        const m = LEVEL[method];
        const tasks = [...inDistribution, ...zeroShot];
        return [method, new Map(tasks.map((t) => [t, 40 + m * 5 + seed + (t === 'b' ? 10 : 0) + shift]))] as [MethodId, Map<string, number>];
      }),
    );
  const newWording = table(-2);
  for (const m of newWording.values()) m.delete('z');
  const taskLora = table(0).get('task-lora')!;
  const ledger = new Map(
    LORAGEN_VARIANTS.map((v) => [
      v,
      {
        roundTrip: new Map(inDistribution.map((t) => [t, taskLora.get(t)! - 1])),
        retrieved: new Map([
          ['a', 1],
          ['b', 0],
        ]),
        latentError: new Map(inDistribution.map((t) => [t, 0.1 * seed])),
      },
    ]),
  );
  return { accuracies: table(0), newWording, ledger };
}

const RUN = { seconds: 12.4, backend: 'wasm', machine: 'test host, 2 cores', budget: { autoencoderSteps: 10, diffusionSteps: 20 } };

describe('benchmark summary', () => {
  it('meanStd is the mean and the n-1 standard deviation', () => {
    expect(meanStd([1, 2, 3, 4])).toEqual({ mean: 2.5, std: 1.29 });
    expect(meanStd([7])).toEqual({ mean: 7, std: 0 });
    expect(() => meanStd([])).toThrow(/no values/);
  });

  it('has the exact results.json shape, averaging tasks within a seed and then over seeds', () => {
    const results = summarise([1, 2, 3].map(seedResult), { inDistribution, zeroShot }, METHOD_IDS, RUN);
    expect(Object.keys(results)).toEqual(['seeds', 'tasks', 'rows', 'oracleSpan', 'ledger', 'seconds', 'backend', 'machine', 'budget']);
    expect(results.tasks).toEqual({ inDistribution: 2, zeroShot: 1 });
    expect(results.seconds).toBe(12);
    expect(results.rows.map((r) => r.method)).toEqual([...METHOD_IDS]);
    // base (m = 0): in-distribution per seed = 40 + seed + 5 -> 46, 47, 48; zero-shot = 40 + seed -> 41, 42, 43.
    expect(results.rows[0]).toEqual({
      method: 'base',
      inDistribution: { mean: 47, std: 1 },
      zeroShot: { mean: 42, std: 1 },
      inDistributionNewWording: { mean: 45, std: 1 },
    });
    // zero-shot: base 42, task-lora (m = 3) 57, oracle-span (m = 10) 92: (92 - 42) / (57 - 42)
    expect(results.oracleSpan).toEqual({ meanRecovery: 3.3333 });
    const withoutOracle = summarise(
      [1, 2, 3].map(seedResult),
      { inDistribution, zeroShot },
      METHOD_IDS.filter((m) => m !== 'oracle-span'),
      RUN,
    );
    expect(withoutOracle.oracleSpan).toBeNull();
  });

  it('averages the ledger over in-distribution tasks and seeds, one row per LoRAGen variant', () => {
    const { ledger } = summarise([1, 2, 3].map(seedResult), { inDistribution, zeroShot }, METHOD_IDS, RUN);
    expect(ledger.map((l) => l.method)).toEqual([...LORAGEN_VARIANTS]);
    // task-lora (m = 3): 40 + 15 + seed + 5 on average -> 62; loragen (m = 4): 67.
    expect(ledger[0]).toEqual({ method: 'loragen', taskLora: 62, autoencoderRoundTrip: 61, generated: 67, retrievalRate: 0.5, latentError: 0.2 });
  });

  it('refuses a ledger that lacks a task, or held-out wording results missing for a seed', () => {
    const seeds = [1, 2, 3].map(seedResult);
    seeds[1].ledger.get('loragen')!.roundTrip.delete('b');
    expect(() => summarise(seeds, { inDistribution, zeroShot }, METHOD_IDS, RUN)).toThrow(/ledger lacks loragen round trips for 1 of 2 tasks/);
    const wordings = [1, 2, 3].map(seedResult);
    for (const t of inDistribution) wordings[0].newWording.get('nearest-description')!.delete(t);
    expect(() => summarise(wordings, { inDistribution, zeroShot }, METHOD_IDS, RUN)).toThrow(
      "method 'nearest-description' has no held-out wording results for seed 1 of 3",
    );
  });

  it('refuses a method measured on only part of a split', () => {
    const partial = seedResult(1);
    partial.accuracies.get('loragen')!.delete('a');
    expect(() => summarise([partial], { inDistribution, zeroShot }, METHOD_IDS, RUN)).toThrow(/1 of 2 tasks/);
  });

  const summariseSeeds = (seeds: SeedResult[]) => summarise(seeds, { inDistribution, zeroShot }, METHOD_IDS, RUN);

  it('refuses a seed without zero-shot results for a method (they are not 0%), whichever seed it is', () => {
    for (const missing of [0, 1, 2]) {
      const seeds = [1, 2, 3].map(seedResult);
      seeds[missing].accuracies.get('loragen')!.delete('z');
      expect(() => summariseSeeds(seeds)).toThrow(`method 'loragen' has no zero-shot results for seed ${missing + 1} of 3`);
    }
  });

  it('refuses a seed without in-distribution results, and a seed file that lacks a method', () => {
    const seeds = [1, 2, 3].map(seedResult);
    for (const t of inDistribution) seeds[2].accuracies.get('base')!.delete(t);
    expect(() => summariseSeeds(seeds)).toThrow("method 'base' has no in-distribution results for seed 3 of 3");
    const lacking = [1, 2, 3].map(seedResult);
    lacking[1].accuracies.delete('average-lora');
    expect(() => summariseSeeds(lacking)).toThrow("method 'average-lora' has no in-distribution results for seed 2 of 3");
  });

  it('refuses zero-shot results missing from every seed', () => {
    const none = [1, 2, 3].map(seedResult);
    for (const s of none) s.accuracies.get('nearest-description')!.delete('z');
    expect(() => summariseSeeds(none)).toThrow("method 'nearest-description' has no zero-shot results for seed 1 of 3");
  });
});

describe('seed results from several processes', () => {
  it('merge into the one seed result, and refuse two processes that disagree', () => {
    const whole = seedResult(1);
    const only = (keep: MethodId[]): SeedResult => ({
      accuracies: new Map([...whole.accuracies].filter(([m]) => keep.includes(m))),
      newWording: new Map([...whole.newWording].filter(([m]) => keep.includes(m))),
      ledger: new Map([...whole.ledger].filter(([m]) => keep.includes(m))),
    });
    // base and task-lora measured by both processes, as the benchmark's children do
    const merged = mergeSeedResults([only(['base', 'task-lora', 'average-lora']), only(['base', 'task-lora', 'loragen'])]);
    expect([...merged.accuracies.keys()].sort()).toEqual(['average-lora', 'base', 'loragen', 'task-lora']);
    expect(merged.ledger.get('loragen')).toEqual(whole.ledger.get('loragen'));
    const other = only(['base']);
    other.accuracies.set('base', new Map([['a', 1]]));
    expect(() => mergeSeedResults([only(['base']), other])).toThrow(/measured 'base' differently/);
  });
});

describe('paper claims and report', () => {
  const results = summarise([1, 2, 3].map(seedResult), { inDistribution, zeroShot }, METHOD_IDS, RUN);

  it('computes the recovered share of the task-LoRA gain and the zero-shot margins', () => {
    // base 47, task-lora (m = 3) 62, loragen (m = 4) 67: recovery (67 - 47) / (62 - 47) = 133.3%.
    const [recovery, newWording, overFactor, overAverage] = checkClaims(results);
    expect(recovery.measured.startsWith('133.3%')).toBe(true);
    expect(recovery).toMatchObject({ source: 'paper', status: 'met' });
    // held-out wordings: every method 2 points lower, so the same gain: (65 - 45) / (60 - 45)
    expect(newWording.measured.startsWith('133.3%')).toBe(true);
    expect(newWording).toMatchObject({ source: 'ours', status: 'met' });
    // zero-shot: loragen 62, factor-supervision (m = 7) 77, average-lora (m = 1) 47.
    expect(overFactor).toMatchObject({ measured: '-15.00 points', source: 'paper', status: 'not met' });
    // the paper reports no zero-shot average-LoRA number: this comparison is ours, and says so
    expect(overAverage).toMatchObject({ measured: '15.00 points', source: 'ours', status: 'met' });
    expect(overAverage.claim).toMatch(/paper reports no zero-shot average-LoRA number/);
  });

  /** `results` with some rows' in-distribution means replaced. */
  const withInDistribution = (means: Partial<Record<MethodId, number>>): PaperResults => ({
    ...results,
    rows: results.rows.map((r) => (r.method in means ? { ...r, inDistribution: { mean: means[r.method]!, std: 0 } } : r)),
  });

  it('calls the recovery not measurable when the task LoRAs do not beat base (no gain to recover)', () => {
    // base = task = 50 would divide by zero (Infinity%); base 60 above task 50 flips the sign (200% from a loss).
    for (const [means, text] of [
      [{ base: 50, 'task-lora': 50, loragen: 51 }, 'task LoRAs do not beat base (50 vs 50)'],
      [{ base: 60, 'task-lora': 50, loragen: 40 }, 'task LoRAs do not beat base (50 vs 60)'],
    ] as const) {
      expect(checkClaims(withInDistribution(means))[0]).toMatchObject({ status: 'not measurable', measured: text });
    }
    // a real gain that LoRAGen falls short of is measurable, and not met
    expect(checkClaims(withInDistribution({ base: 50, 'task-lora': 60, loragen: 40 }))[0]).toMatchObject({
      status: 'not met',
      measured: expect.stringMatching(/^-100\.0%/),
    });
  });

  it('calls a claim not measurable when a number it needs is missing or not finite', () => {
    const withoutRow = (method: MethodId) => ({ ...results, rows: results.rows.filter((r) => r.method !== method) });
    expect(checkClaims(withoutRow('task-lora'))[0]).toMatchObject({ status: 'not measurable', measured: 'missing: task-lora in-distribution' });
    expect(checkClaims(withInDistribution({ loragen: Number.NaN }))[0]).toMatchObject({
      status: 'not measurable',
      measured: 'missing: loragen in-distribution',
    });
    const noZeroShot = { ...results, rows: results.rows.map((r) => (r.method === 'loragen' ? { ...r, zeroShot: null } : r)) };
    expect(
      checkClaims(noZeroShot)
        .slice(2)
        .map((c) => [c.status, c.measured]),
    ).toEqual([
      ['not measurable', 'missing: loragen zero-shot'],
      ['not measurable', 'missing: loragen zero-shot'],
    ]);
    expect(checkClaims(withoutRow('average-lora'))[3]).toMatchObject({ status: 'not measurable', measured: 'missing: average-lora zero-shot' });
  });

  /** A library's entry of results.json around `r`. */
  const entry = (r: PaperResults, name: LibraryName = 'digits'): LibraryResults => ({
    name,
    ...r,
    analyze: { correlation: { deltaW: 0.61, factors: 0.04 } },
    confidence: null,
  });

  it('marks a claim that cannot be measured as such in the report, not as met', () => {
    const md = resultsMarkdown([entry(withInDistribution({ base: 50, 'task-lora': 50, loragen: 51 }))], []);
    expect(md).toContain('| task LoRAs do not beat base (50 vs 50) | >= 95% | **not measurable** |');
    expect(md).toContain(
      '| zero-shot, LoRAGen beats average-lora by at least 5 points (the paper reports no zero-shot average-LoRA number) | ours |',
    );
  });

  it('puts every method beside the paper numbers and links the chart', () => {
    const md = resultsMarkdown([entry(results)], ['a note']);
    for (const m of METHOD_IDS) expect(md).toContain(`| \`${m}\` |`);
    expect(md).toContain('| `loragen` | 67.0 ± 1.0 | 65.0 ± 1.0 | 62.0 ± 1.0 | 96.0 | 40.2 |');
    expect(md).toContain('| `loragen` | 62.0 | 61.0 | 67.0 | 50% | 0.200 |');
    expect(md).toContain('a note');
    expect(md).toContain('(results-digits.svg)');
  });

  it('gives each library its own section, analyze figures and chart, in the order given', () => {
    const md = resultsMarkdown([entry(results, 'digits'), entry(withInDistribution({ loragen: 55 }), 'skills')], []);
    const [digits, skills] = ['## Library `digits`', '## Library `skills`'].map((h) => md.indexOf(h));
    expect(digits).toBeGreaterThan(0);
    expect(skills).toBeGreaterThan(digits);
    expect(md.slice(skills)).toContain('| `loragen` | 55.0 ± 0.0 |');
    expect(md.slice(digits, skills)).not.toContain('| `loragen` | 55.0');
    expect(md).toContain('with dW similarity 0.61, with raw-factor similarity 0.04');
    expect(md.slice(skills)).toContain('(results-skills.svg)');
  });

  it('draws one labelled group per method, without bars for missing values', () => {
    // two bars a method (in-distribution, zero-shot), one fewer where a zero-shot value is missing
    const svg = resultsChart({ ...results, rows: results.rows.map((r) => (r.method === 'average-lora' ? { ...r, zeroShot: null } : r)) });
    expect(svg.startsWith('<svg')).toBe(true);
    for (const m of METHOD_IDS) expect(svg).toContain(`>${m}</text>`);
    expect(svg.match(/<rect [^>]*><title>/g)!.length).toBe(2 * METHOD_IDS.length - 1);
    expect(resultsChart(results).match(/<rect [^>]*><title>/g)!.length).toBe(2 * METHOD_IDS.length);
  });
});

describe('confidence summary', () => {
  const seed = (cases: Array<[number, number, number]>): SeedResult => ({
    accuracies: new Map(),
    newWording: new Map(),
    ledger: new Map(),
    // [score, adapter accuracy, medoid accuracy] with base 50 and task LoRA 90
    confidence: new Map(
      cases.map(([score, single, medoid], i) => [
        `t${i}`,
        { score, agreement: 1, novelty: 0, offLibrary: 0, single, medoid, base: 50, taskLora: 90 },
      ]),
    ),
  });

  it('ranks the score against the share of the gain, and separates adapters that beat base by 10 points', () => {
    const s = summariseConfidence([
      seed([
        [0.9, 88, 90],
        [0.5, 70, 70],
      ]),
      seed([
        [0.2, 52, 50],
        [0.1, 55, 55],
      ]),
    ])!;
    expect(s.cases).toBe(4);
    expect(s.working).toBe(2);
    // shares 0.95, 0.5, 0.05, 0.125: ranks of the scores 4,3,2,1 vs of the shares 4,3,1,2 -> rho = 1 - 6*2/(4*15) = 0.8
    expect(s.spearman).toBeCloseTo(0.8, 4);
    expect(s.auroc).toBe(1);
    expect(s.medoidGain).toBeCloseTo((2 + 0 - 2 + 0) / 4, 4);
    // a signal equal for every case ranks nothing: no correlation, a coin toss
    expect(s.signals.agreement).toEqual({ spearman: 0, auroc: 0.5 });
    expect(summariseConfidence([{ ...seed([]), confidence: undefined }])).toBeNull();
  });

  it('reports each library and all of them pooled', () => {
    const results = {
      seeds: 1,
      tasks: { inDistribution: 1, zeroShot: 0 },
      rows: [],
      oracleSpan: null,
      ledger: [],
      seconds: 1,
      backend: 'cpu',
      machine: 'm',
      budget: { autoencoderSteps: 1, diffusionSteps: 1 },
    };
    const lib = (name: LibraryName, cases: Array<[number, number, number]>): LibraryResults => ({
      name,
      ...results,
      analyze: { correlation: { deltaW: 0, factors: 0 } },
      confidence: summariseConfidence([seed(cases)]),
    });
    const md = resultsMarkdown(
      [
        lib('digits', [
          [0.9, 88, 90],
          [0.5, 55, 55],
        ]),
        lib('skills', [
          [0.2, 52, 50],
          [0.1, 55, 55],
        ]),
      ],
      [],
    );
    expect(md).toContain('## Confidence of generated adapters');
    expect(md).toContain('| `digits` | 2 (1 work) | 1.00 | 1.00 | +1.0 |');
    // no skills adapter works: no AUROC
    expect(md).toContain('| `skills` | 2 (0 work) | -1.00 | - | -1.0 |');
    // shares 0.95, 0.125, 0.05, 0.125 against scores 0.9, 0.5, 0.2, 0.1: rho = 3 / sqrt(22.5)
    expect(md).toContain(`| all libraries | 4 (1 work) | ${(3 / Math.sqrt(22.5)).toFixed(2)} | 1.00 | +0.0 |`);
    expect(md).toContain('| all libraries | – | – | 0.00 / 0.50 | 0.00 / 0.50 | 0.00 / 0.50 |');
  });
});
