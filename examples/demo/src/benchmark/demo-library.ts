// Which library the demo shows: the one where the paper benchmark measured LoRAGen best on tasks it never saw
// (its zero-shot margin over the base model in benchmarks/paper/results.json).
import { readFile } from 'node:fs/promises';
import { LIBRARY_NAMES, type LibraryName } from './libraries';
import type { BenchmarkResults } from './summary';

/** The library to show and why, in words the demo prints. */
export interface DemoLibraryChoice {
  name: LibraryName;
  reason: string;
}

/** Used when no benchmark results can be read: the library built for zero-shot transfer. */
const FALLBACK: LibraryName = 'skills';

/** LoRAGen's zero-shot margin over base (points) on each library of `results` that measured both. */
export function zeroShotMargins(results: BenchmarkResults): Map<LibraryName, number> {
  const margins = new Map<LibraryName, number>();
  for (const library of results.libraries) {
    const zeroShot = (method: string) => library.rows.find((r) => r.method === method)?.zeroShot?.mean;
    const loragen = zeroShot('loragen');
    const base = zeroShot('base');
    if (loragen !== undefined && base !== undefined) margins.set(library.name, loragen - base);
  }
  return margins;
}

/** The library with the largest margin in the results file at `path`, or the fallback when it cannot tell. */
export async function chooseDemoLibrary(path: string): Promise<DemoLibraryChoice> {
  let margins: Map<LibraryName, number>;
  try {
    margins = zeroShotMargins(JSON.parse(await readFile(path, 'utf8')) as BenchmarkResults);
  } catch {
    return { name: FALLBACK, reason: `no readable benchmark results at ${path}; showing '${FALLBACK}'` };
  }
  const known = [...margins].filter(([name]) => (LIBRARY_NAMES as readonly string[]).includes(name));
  if (known.length === 0) return { name: FALLBACK, reason: `${path} has no zero-shot loragen and base results; showing '${FALLBACK}'` };
  known.sort((a, b) => b[1] - a[1]);
  const [best] = known;
  const all = known.map(([name, m]) => `${name} ${m >= 0 ? '+' : ''}${m.toFixed(1)}`).join(', ');
  return {
    name: best[0],
    reason: `chosen by the paper benchmark: LoRAGen's zero-shot margin over the base model is largest there (${all} points; ${path})`,
  };
}
