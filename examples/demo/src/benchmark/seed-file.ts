// One seed's per-task accuracies as JSON, so seeds can run in separate processes and be merged.
import { readFile } from 'node:fs/promises';
import type { SeedAccuracies } from './experiment';
import { METHOD_IDS, type MethodId } from './methods';
import { writeJsonAtomic } from '../library/write-text';

export async function writeSeedFile(path: string, accuracies: SeedAccuracies): Promise<void> {
  await writeJsonAtomic(path, Object.fromEntries([...accuracies].map(([method, tasks]) => [method, Object.fromEntries(tasks)])));
}

export async function readSeedFile(path: string): Promise<SeedAccuracies> {
  const raw = JSON.parse(await readFile(path, 'utf8')) as Record<string, Record<string, number>>;
  const accuracies: SeedAccuracies = new Map();
  for (const [method, tasks] of Object.entries(raw)) {
    if (!(METHOD_IDS as readonly string[]).includes(method)) throw new RangeError(`${path}: unknown method '${method}'`);
    accuracies.set(method as MethodId, new Map(Object.entries(tasks)));
  }
  return accuracies;
}
