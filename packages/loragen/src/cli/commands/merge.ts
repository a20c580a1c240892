import { mergeAdapters } from '../../arithmetic/adapter-arithmetic';
import { backendOption, parseCommandArgs, required } from '../args';
import { UsageError } from '../exit-codes';
import type { CliIO } from '../output';
import { ARITHMETIC_OPTIONS, parseBudget, parseDtype, runArithmetic } from './adapter-arithmetic-cli';

export const MERGE_USAGE =
  'loragen merge ADAPTER_DIR... [--weights w1,w2,...] [--rank K | --energy E] --out DIR [--dtype F32|F16|BF16] [--backend NAME] [--json]';

/** w1,w2,...: one finite number per adapter. */
function parseWeights(value: string | undefined, count: number): number[] | undefined {
  if (value === undefined) return undefined;
  const weights = value.split(',').map((w) => Number(w.trim()));
  if (weights.length !== count || !weights.every(Number.isFinite) || value.trim() === '') {
    throw new UsageError(`--weights must be ${count} comma-separated numbers, one per adapter, got '${value}'`, MERGE_USAGE);
  }
  return weights;
}

/**
 * sum_i w_i scaling_i B_i A_i per module, from the factors: exact (stacked factors, rank sum r_i) without a budget,
 * else truncated to --rank or --energy (Eckart-Young); written as a PEFT folder.
 */
export async function mergeCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { ...ARITHMETIC_OPTIONS, weights: { type: 'string' } }, MERGE_USAGE, true);
  if (positionals.length === 0) throw new UsageError('expected at least one adapter folder', MERGE_USAGE);
  const out = required(values.out, 'out', MERGE_USAGE);
  const budget = parseBudget(values, MERGE_USAGE);
  const weights = parseWeights(values.weights, positionals.length);
  const dtype = parseDtype(values.dtype, MERGE_USAGE);
  return runArithmetic(
    io,
    positionals,
    { out, dtype, backend: backendOption(values.backend, MERGE_USAGE), label: 'merging' },
    (adapters, onProgress) => mergeAdapters(adapters, { ...budget, weights, labels: positionals, onProgress }),
  );
}
