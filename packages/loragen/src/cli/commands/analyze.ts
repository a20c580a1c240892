import { basename, join } from 'node:path';
import { observeLibrary } from '../../analysis/observations';
import { analysisFiles } from '../../analysis/report';
import { writeFileAtomic } from '@loragen/lora-io/node';
import { AbortedError } from '../../errors';
import type { LibraryTask } from '../../data/factor-set';
import { parseCommandArgs, required } from '../args';
import { printResult, type CliIO } from '../output';
import { inputFolder, outputFolder } from '../paths';
import { libraryTasks } from '../read-library';
import { writeOutput } from '../write-output';

export const ANALYZE_USAGE = 'loragen analyze --library DIR --out DIR [--force] [--json] [--debug]';

const stopped = () => new AbortedError('analyze was stopped', 'no file was left half-written; run the command again');

/**
 * The paper's two observations on a library: writes report.md, SVG charts and analysis.json to --out, all at once
 * (a missing or empty --out is filled under a temporary name and renamed), or beside other files with --force.
 */
export async function analyzeCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandArgs(
    argv,
    { library: { type: 'string' }, out: { type: 'string' }, force: { type: 'boolean', default: false } },
    ANALYZE_USAGE,
  );
  const library = required(values.library, 'library', ANALYZE_USAGE);
  const out = required(values.out, 'out', ANALYZE_USAGE);
  await inputFolder(library, 'library', 'pass --library a folder with one sub-folder per task (a PEFT adapter and descriptions.json in each)');
  const mode = await outputFolder(out, { allowNonEmpty: values.force });
  const signal = io.interrupts.listen('stopping; nothing is written');
  const tasks: LibraryTask[] = [];
  for await (const t of libraryTasks(library)) {
    if (signal.aborted) throw stopped();
    tasks.push(t);
  }
  const obs = observeLibrary(tasks);
  const files = analysisFiles(obs, basename(library));
  await writeOutput(out, mode, io, async (dir) => {
    for (const [name, text] of Object.entries(files)) {
      if (signal.aborted) throw stopped();
      await writeFileAtomic(join(dir, name), [new TextEncoder().encode(text)], { fsync: true });
    }
  });
  printResult(
    io,
    { report: join(out, 'report.md'), correlation: obs.correlation, entropyByModuleType: obs.entropyByModuleType },
    `Obs-1 correlation with description similarity: dW ${obs.correlation.deltaW.toFixed(3)}, factors ${obs.correlation.factors.toFixed(3)}\n` +
      `Obs-2 spectral entropy: ${obs.entropyByModuleType.map((e) => `${e.moduleType} ${e.mean.toFixed(3)}`).join(', ')}\n` +
      `wrote ${join(out, 'report.md')}`,
  );
  return 0;
}
