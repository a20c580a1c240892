// One seed's results as JSON, so seeds can run in separate processes and be merged.
import { readFile } from 'node:fs/promises';
import type { ConfidenceCase, SeedAccuracies, SeedLedger, SeedResult } from './experiment';
import { LORAGEN_VARIANTS, METHOD_IDS, type LoraGenVariant } from './methods';
import { writeJsonAtomic } from '../library/write-text';

type Table = Record<string, Record<string, number>>;

const toTable = (m: ReadonlyMap<string, ReadonlyMap<string, number>>): Table =>
  Object.fromEntries([...m].map(([k, v]) => [k, Object.fromEntries(v)]));
const fromTable = (t: Table): Map<string, Map<string, number>> => new Map(Object.entries(t).map(([k, v]) => [k, new Map(Object.entries(v))]));

export async function writeSeedFile(path: string, result: SeedResult): Promise<void> {
  await writeJsonAtomic(path, {
    accuracies: toTable(result.accuracies),
    newWording: toTable(result.newWording),
    ledger: Object.fromEntries([...result.ledger].map(([variant, l]) => [variant, toTable(new Map(Object.entries(l)))])),
    ...(result.confidence ? { confidence: Object.fromEntries(result.confidence) } : {}),
  });
}

function methods(path: string, table: Table): SeedAccuracies {
  for (const method of Object.keys(table)) {
    if (!(METHOD_IDS as readonly string[]).includes(method)) throw new RangeError(`${path}: unknown method '${method}'`);
  }
  return fromTable(table) as SeedAccuracies;
}

export async function readSeedFile(path: string): Promise<SeedResult> {
  const raw = JSON.parse(await readFile(path, 'utf8')) as {
    accuracies?: Table;
    newWording?: Table;
    ledger?: Record<string, Table>;
    confidence?: Record<string, ConfidenceCase>;
  };
  if (!raw.accuracies || !raw.newWording || !raw.ledger)
    throw new RangeError(`${path}: not a seed file of this benchmark (accuracies, newWording and ledger expected)`);
  const ledger = new Map<LoraGenVariant, SeedLedger>();
  for (const [variant, table] of Object.entries(raw.ledger)) {
    if (!(LORAGEN_VARIANTS as readonly string[]).includes(variant)) throw new RangeError(`${path}: unknown LoRAGen variant '${variant}'`);
    const parts = fromTable(table);
    ledger.set(variant as LoraGenVariant, {
      roundTrip: parts.get('roundTrip')!,
      retrieved: parts.get('retrieved')!,
      latentError: parts.get('latentError')!,
    });
  }
  const confidence = raw.confidence ? new Map(Object.entries(raw.confidence)) : undefined;
  return { accuracies: methods(path, raw.accuracies), newWording: methods(path, raw.newWording), ledger, ...(confidence ? { confidence } : {}) };
}

/** One seed's results from several processes (each ran some methods): a method measured twice must agree. */
export function mergeSeedResults(parts: readonly SeedResult[]): SeedResult {
  const merged: SeedResult = { accuracies: new Map(), newWording: new Map(), ledger: new Map() };
  for (const part of parts) {
    for (const key of ['accuracies', 'newWording'] as const) {
      for (const [method, tasks] of part[key]) {
        const known = merged[key].get(method);
        if (known && [...tasks].some(([task, v]) => known.get(task) !== v)) {
          throw new RangeError(`two processes measured '${method}' differently for the same seed; the benchmark is not deterministic`);
        }
        merged[key].set(method, tasks);
      }
    }
    for (const [variant, ledger] of part.ledger) merged.ledger.set(variant, ledger);
    if (part.confidence) merged.confidence = part.confidence;
  }
  return merged;
}
