import type { AdapterDtype } from '@loragen/lora-io';
import { readPeftAdapter, writePeftAdapter } from '@loragen/lora-io/node';
import type { AdapterArithmeticOptions, AdapterArithmeticResult, ModuleOutcome } from '../../arithmetic/adapter-arithmetic';
import { useBackend } from '../../backend/use-backend';
import type { BackendName } from '../../backend/names';
import { UsageError } from '../exit-codes';
import { printResult, textTable, type CliIO } from '../output';
import { ProgressBar } from '../progress-bar';

/** The options `merge` and `compress` share. */
export const ARITHMETIC_OPTIONS = {
  rank: { type: 'string' },
  energy: { type: 'string' },
  out: { type: 'string' },
  dtype: { type: 'string', default: 'F32' },
} as const;

const DTYPES = ['F32', 'F16', 'BF16'] as const;
/** Inputs with more factor values than this (64 MB of float32) get a progress bar: below it the work takes a blink. */
const PROGRESS_VALUES = 16 << 20;

/** --rank K (a positive integer) or --energy E (in (0, 1]), never both. */
export function parseBudget(values: { rank?: string; energy?: string }, usage: string): Pick<AdapterArithmeticOptions, 'rank' | 'energy'> {
  if (values.rank !== undefined && values.energy !== undefined) throw new UsageError('give --rank or --energy, not both', usage);
  if (values.rank !== undefined) {
    const rank = Number(values.rank);
    if (!Number.isInteger(rank) || rank < 1) throw new UsageError(`--rank must be a positive integer, got '${values.rank}'`, usage);
    return { rank };
  }
  if (values.energy !== undefined) {
    const energy = Number(values.energy);
    if (!(energy > 0 && energy <= 1)) throw new UsageError(`--energy must be a share in (0, 1] of sum sigma^2, got '${values.energy}'`, usage);
    return { energy };
  }
  return {};
}

export function parseDtype(value: string | undefined, usage: string): AdapterDtype {
  const dtype = (value ?? 'F32') as AdapterDtype;
  if (!DTYPES.includes(dtype)) throw new UsageError(`--dtype '${dtype}' is not one of ${DTYPES.join(', ')}`, usage);
  return dtype;
}

function table(modules: ModuleOutcome[]): string {
  const rows = modules.map((m) => [m.name, String(m.rank), m.energy.toFixed(6), m.relativeError.toExponential(3)]);
  const head = ['module', 'rank', 'energy kept', 'relative error'];
  return textTable(head, rows);
}

/**
 * Reads the adapters, runs `operation` on the chosen backend with a progress bar for large inputs, writes the result
 * as a PEFT folder and prints `{ out, modules: [{ name, rank, energy, relativeError }] }` (or a table).
 */
export async function runArithmetic(
  io: CliIO,
  dirs: string[],
  { out, dtype, backend, label }: { out: string; dtype: AdapterDtype; backend?: BackendName; label: string },
  operation: (
    adapters: Awaited<ReturnType<typeof readPeftAdapter>>[],
    onProgress: (done: number, total: number) => void,
  ) => Promise<AdapterArithmeticResult>,
): Promise<number> {
  await useBackend(backend);
  const adapters = await Promise.all(dirs.map((dir) => readPeftAdapter(dir)));
  const values = adapters.reduce((n, a) => n + a.modules.reduce((s, m) => s + m.A.length + m.B.length, 0), 0);
  let bar: ProgressBar | undefined;
  const result = await operation(adapters, (done, total) => {
    if (values < PROGRESS_VALUES) return;
    bar ??= new ProgressBar(label, total, io.stderr);
    bar.update(done);
  });
  await writePeftAdapter(out, result.adapter, { dtype });
  const ranks = result.modules.map((m) => m.rank);
  const worst = Math.max(...result.modules.map((m) => m.relativeError));
  printResult(
    io,
    { out, modules: result.modules },
    `${table(result.modules)}\nwrote ${out}: ${result.modules.length} modules, rank ${Math.min(...ranks)}..${Math.max(...ranks)}, largest relative error ${worst.toExponential(3)}`,
  );
  return 0;
}
