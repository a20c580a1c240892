// Turns per-seed, per-task accuracies into the results.json the issue specifies.
import type { ConfidenceSummary } from './confidence-summary';
import type { SeedResult } from './experiment';
import { summariseLedger, type LedgerRow } from './ledger-summary';
import type { LibraryName } from './libraries';
import type { LibraryAnalysis } from './library-analysis';
import type { MethodId } from './methods';

export interface MeanStd {
  mean: number;
  std: number;
}

export interface ResultRow {
  method: MethodId;
  inDistribution: MeanStd;
  /** null where not measured. `task-lora` here is each zero-shot task's own LoRA (the ceiling, no generator). */
  zeroShot: MeanStd | null;
  /** In-distribution tasks named in held-out wordings (see `Task.heldOutDescriptions`). */
  inDistributionNewWording: MeanStd;
}

/** One library's benchmark (accuracy in percent). */
export interface PaperResults {
  seeds: number;
  tasks: { inDistribution: number; zeroShot: number };
  rows: ResultRow[];
  /**
   * `oracle-span` (the least-squares combination of the training library's updates closest to each zero-shot task's
   * own update): its share of the zero-shot task LoRAs' gain over base, (oracle - base) / (task LoRA - base) of the
   * zero-shot means. An upper bound, not a competitor; null when oracle-span, base or task-lora did not run, or
   * the task LoRAs do not beat base.
   */
  oracleSpan: { meanRecovery: number } | null;
  /** Stage by stage, per LoRAGen variant that ran. */
  ledger: LedgerRow[];
  seconds: number;
  backend: string;
  /** Where it ran (host, cores) and at what training budget. */
  machine: string;
  budget: { autoencoderSteps: number; diffusionSteps: number };
}

/** One library's entry of results.json: its benchmark and its `analyze` figures. */
export interface LibraryResults extends PaperResults {
  /** Whether `loragen`'s confidence score predicts its adapters' quality (null when it did not run). */
  confidence: ConfidenceSummary | null;
  name: LibraryName;
  analyze: LibraryAnalysis;
}

/** The exact shape of `benchmarks/paper/results.json`. */
export interface BenchmarkResults {
  libraries: LibraryResults[];
}

const round = (x: number): number => Math.round(x * 100) / 100;

/** Mean and sample standard deviation (n - 1; 0 for a single value). */
export function meanStd(values: readonly number[]): MeanStd {
  if (values.length === 0) throw new RangeError('meanStd of no values');
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.length > 1 ? values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1) : 0;
  return { mean: round(mean), std: round(Math.sqrt(variance)) };
}

/** Average accuracy over `taskIds` for one seed and method, or null when the method has none of them. */
function averageOver(accuracies: Map<string, number> | undefined, taskIds: readonly string[]): number | null {
  const values = taskIds.flatMap((id) => (accuracies?.has(id) ? [accuracies.get(id)!] : []));
  if (values.length === 0) return null;
  if (values.length !== taskIds.length) throw new RangeError(`a method was measured on ${values.length} of ${taskIds.length} tasks of a split`);
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/**
 * Every seed's average for one method and split. A seed without results throws: seeds come from separate files,
 * and averaging a missing one as 0% (or dropping it) would report a number no run measured.
 */
function perSeed(
  seeds: readonly SeedResult[],
  method: MethodId,
  split: string,
  taskIds: readonly string[],
  key: 'accuracies' | 'newWording' = 'accuracies',
): number[] {
  return seeds.map((s, i) => {
    const v = averageOver(s[key].get(method), taskIds);
    if (v === null) throw new RangeError(`method '${method}' has no ${split} results for seed ${i + 1} of ${seeds.length}`);
    return v;
  });
}

/** Summarises seeds: per seed, the mean over each split's tasks; then mean and std of those over seeds. */
export function summarise(
  seeds: readonly SeedResult[],
  split: { inDistribution: readonly string[]; zeroShot: readonly string[] },
  methods: readonly MethodId[],
  run: Pick<PaperResults, 'seconds' | 'backend' | 'machine' | 'budget'>,
): PaperResults {
  const rows = methods.map((method): ResultRow => {
    const inDistribution = meanStd(perSeed(seeds, method, 'in-distribution', split.inDistribution));
    const inDistributionNewWording = meanStd(perSeed(seeds, method, 'held-out wording', split.inDistribution, 'newWording'));
    return { method, inDistribution, zeroShot: meanStd(perSeed(seeds, method, 'zero-shot', split.zeroShot)), inDistributionNewWording };
  });
  const zeroShotMean = (method: MethodId) => rows.find((r) => r.method === method)?.zeroShot?.mean;
  const [base, task, oracle] = (['base', 'task-lora', 'oracle-span'] as const).map(zeroShotMean);
  return {
    seeds: seeds.length,
    tasks: { inDistribution: split.inDistribution.length, zeroShot: split.zeroShot.length },
    rows,
    oracleSpan:
      base !== undefined && task !== undefined && oracle !== undefined && task > base
        ? { meanRecovery: Math.round(((oracle - base) / (task - base)) * 1e4) / 1e4 }
        : null,
    ledger: summariseLedger(seeds, split.inDistribution),
    seconds: Math.round(run.seconds),
    backend: run.backend,
    machine: run.machine,
    budget: run.budget,
  };
}
