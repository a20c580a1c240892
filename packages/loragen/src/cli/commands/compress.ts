import { compressAdapter } from '../../arithmetic/adapter-arithmetic';
import { backendOption, parseCommandArgs, required } from '../args';
import { UsageError } from '../exit-codes';
import type { CliIO } from '../output';
import { ARITHMETIC_OPTIONS, parseBudget, parseDtype, runArithmetic } from './adapter-arithmetic-cli';

export const COMPRESS_USAGE = 'loragen compress ADAPTER_DIR (--rank K | --energy E) --out DIR [--dtype F32|F16|BF16] [--backend NAME] [--json]';

/** One adapter re-ranked per module to --rank, or to the smallest rank keeping --energy of sum sigma^2. */
export async function compressCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, ARITHMETIC_OPTIONS, COMPRESS_USAGE, true);
  if (positionals.length !== 1) throw new UsageError(`expected one adapter folder, got ${positionals.length}`, COMPRESS_USAGE);
  const out = required(values.out, 'out', COMPRESS_USAGE);
  const budget = parseBudget(values, COMPRESS_USAGE);
  if (budget.rank === undefined && budget.energy === undefined) throw new UsageError('compress needs --rank K or --energy E', COMPRESS_USAGE);
  const dtype = parseDtype(values.dtype, COMPRESS_USAGE);
  return runArithmetic(
    io,
    positionals,
    { out, dtype, backend: backendOption(values.backend, COMPRESS_USAGE), label: 'compressing' },
    ([adapter], onProgress) => compressAdapter(adapter, { ...budget, labels: positionals, onProgress }),
  );
}
