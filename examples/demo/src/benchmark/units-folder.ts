// A folder that keeps a benchmark run's per-process results (`bench:paper --units DIR`), so a run cut short resumes
// where it stopped. It records the run's settings once; units of a run with other settings are refused rather than
// silently averaged in.
import { access, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '@loragen/core/node';
import { writeJsonAtomic } from '../library/write-text';

export const exists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );

/** Records `settings` in `dir`/run.json, or checks that they equal the ones recorded there. */
export async function claimUnitsDir(dir: string, settings: Record<string, string>): Promise<void> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'run.json');
  if (!(await exists(file))) return writeJsonAtomic(file, settings);
  const recorded = JSON.parse(await readFile(file, 'utf8')) as Record<string, string>;
  const differing = Object.keys({ ...recorded, ...settings }).filter((k) => recorded[k] !== settings[k]);
  if (differing.length > 0) {
    const what = differing.map((k) => `${k}: ${recorded[k] ?? '(none)'} there, ${settings[k] ?? '(none)'} now`).join('; ');
    throw new UsageError(`--units ${dir} holds units of a run with other settings (${what}); use an empty folder`);
  }
}
