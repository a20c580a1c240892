// Turns per-seed, per-task accuracies into the results.json the issue specifies.
import type { SeedResult } from './experiment';
import { summariseLedger, type LedgerRow } from './ledger-summary';
import type { MethodId } from './methods';

export interface MeanStd {
  mean: number;
  std: number;
}

export interface ResultRow {
  method: MethodId;
  inDistribution: MeanStd;
  /** null for `task-lora` (it exists only for tasks in the library). */
  zeroShot: MeanStd | null;
  /** In-distribution tasks named in held-out wordings (see `Task.heldOutDescriptions`). */
  inDistributionNewWording: MeanStd;
}

/** The exact shape of `benchmarks/paper/results.json` (accuracy in percent). */
export interface PaperResults {
  seeds: number;
  tasks: { inDistribution: number; zeroShot: number };
  rows: ResultRow[];
  /** Stage by stage, per LoRAGen variant that ran. */
  ledger: LedgerRow[];
  seconds: number;
  backend: string;
  /** Where it ran (host, cores) and at what training budget. */
  machine: string;
  budget: { autoencoderSteps: number; diffusionSteps: number };
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

/** Summarises seeds: per seed, the mean over each split's tasks; then mean and std of those over seeds. */
export function summarise(
  seeds: readonly SeedResult[],
  split: { inDistribution: readonly string[]; zeroShot: readonly string[] },
  methods: readonly MethodId[],
  run: Pick<PaperResults, 'seconds' | 'backend' | 'machine' | 'budget'>,
): PaperResults {
  const rows = methods.map((method): ResultRow => {
    const over = (ids: readonly string[], key: 'accuracies' | 'newWording' = 'accuracies') => seeds.map((s) => averageOver(s[key].get(method), ids));
    const inDistribution = over(split.inDistribution);
    const newWording = over(split.inDistribution, 'newWording');
    const zeroShot = over(split.zeroShot);
    if (inDistribution.some((v) => v === null)) throw new RangeError(`method '${method}' has no in-distribution results`);
    if (newWording.some((v) => v === null)) throw new RangeError(`method '${method}' has no results for the held-out wordings`);
    return {
      method,
      inDistribution: meanStd(inDistribution as number[]),
      zeroShot: zeroShot.every((v) => v === null) ? null : meanStd(zeroShot as number[]),
      inDistributionNewWording: meanStd(newWording as number[]),
    };
  });
  return {
    seeds: seeds.length,
    tasks: { inDistribution: split.inDistribution.length, zeroShot: split.zeroShot.length },
    rows,
    ledger: summariseLedger(seeds, split.inDistribution),
    seconds: Math.round(run.seconds),
    backend: run.backend,
    machine: run.machine,
    budget: run.budget,
  };
}
