import { AdapterFormatError } from '@loragen/lora-io';
import { readPeftAdapter } from '@loragen/lora-io/node';
import { inspectAdapter, type ModuleReport } from '../../analysis/inspect-adapter';
import { assertFiniteAdapter } from '../../data/finite';
import { integer, parseCommandArgs } from '../args';
import { UsageError } from '../exit-codes';
import { printResult, textTable, type CliIO } from '../output';
import { inputFolder } from '../paths';

export const INSPECT_USAGE = 'loragen inspect ADAPTER_DIR [--top K] [--json] [--debug]';

function table(modules: ModuleReport[], entropies: number[]): string {
  const rows = modules.map((m, i) => [
    m.name,
    String(m.rank),
    String(m.alpha),
    m.scaling.toPrecision(4),
    `${m.dIn} -> ${m.dOut}`,
    m.deltaNorm.toPrecision(5),
    m.topSingularValues.map((s) => s.toPrecision(4)).join(' '),
    entropies[i].toFixed(3),
  ]);
  const head = ['module', 'rank', 'alpha', 'scaling', 'shape', '|dW|_F', 'top singular values', 'spectral entropy'];
  return textTable(head, rows);
}

/**
 * Per module: rank, alpha, scaling, shapes, |dW|_F, top singular values (and spectral entropy in the table).
 * An adapter holding NaN or Infinity is refused (its numbers would be meaningless), naming the modules and tensors.
 */
export async function inspectCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { top: { type: 'string' } }, INSPECT_USAGE, true);
  if (positionals.length !== 1) throw new UsageError(`expected one adapter folder, got ${positionals.length}`, INSPECT_USAGE);
  const top = integer(values.top, 'top', 8, INSPECT_USAGE)!;
  const dir = positionals[0];
  await inputFolder(dir, 'adapter', 'pass a PEFT adapter folder (adapter_config.json + adapter_model.safetensors)');
  const adapter = await readPeftAdapter(dir);
  assertFiniteAdapter(
    adapter,
    dir,
    (message) => new AdapterFormatError(message, 'the adapter is damaged or its training diverged: retrain it, or fetch it again'),
  );
  const { modules, entropies } = inspectAdapter(adapter, top);
  printResult(io, { modules }, table(modules, entropies));
  return 0;
}
