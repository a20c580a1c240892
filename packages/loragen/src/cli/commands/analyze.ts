import { basename, join } from 'node:path';
import { observeLibrary } from '../../analysis/observations';
import { analysisFiles } from '../../analysis/report';
import { writeFileAtomic } from '../../checkpoint/folder';
import type { LibraryTask } from '../../data/factor-set';
import { parseCommandArgs, required } from '../args';
import { printResult, type CliIO } from '../output';
import { libraryTasks } from '../read-library';

export const ANALYZE_USAGE = 'loragen analyze --library DIR --out DIR [--json]';

/** The paper's two observations on a library: writes report.md, SVG charts and analysis.json to --out. */
export async function analyzeCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandArgs(argv, { library: { type: 'string' }, out: { type: 'string' } }, ANALYZE_USAGE);
  const library = required(values.library, 'library', ANALYZE_USAGE);
  const out = required(values.out, 'out', ANALYZE_USAGE);
  const tasks: LibraryTask[] = [];
  for await (const t of libraryTasks(library)) tasks.push(t);
  const obs = observeLibrary(tasks);
  const { mkdir } = await import('node:fs/promises');
  await mkdir(out, { recursive: true });
  const files = analysisFiles(obs, basename(library));
  for (const [name, text] of Object.entries(files)) await writeFileAtomic(join(out, name), text);
  printResult(
    io,
    { report: join(out, 'report.md'), correlation: obs.correlation, entropyByModuleType: obs.entropyByModuleType },
    `Obs-1 correlation with description similarity: dW ${obs.correlation.deltaW.toFixed(3)}, factors ${obs.correlation.factors.toFixed(3)}\n` +
      `Obs-2 spectral entropy: ${obs.entropyByModuleType.map((e) => `${e.moduleType} ${e.mean.toFixed(3)}`).join(', ')}\n` +
      `wrote ${join(out, 'report.md')}`,
  );
  return 0;
}
