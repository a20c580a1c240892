// The LoRA library on disk: one folder per task, a PEFT adapter plus `descriptions.json` (lora-io's library layout).
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readLoraLibrary, writePeftAdapter, type LoraAdapter } from '@loragen/lora-io/node';
import { writeJsonAtomic } from './write-text';

export const DESCRIPTIONS_FILE = 'descriptions.json';

/** A library task as LoRAGen learns from it. */
export interface LibraryEntry {
  name: string;
  descriptions: string[];
  adapter: LoraAdapter;
}

/** Writes one task's adapter and descriptions into `<root>/<task id>/`. */
export async function writeLibraryEntry(root: string, task: { id: string; descriptions: string[] }, adapter: LoraAdapter): Promise<void> {
  const dir = join(root, task.id);
  await mkdir(dir, { recursive: true });
  await writePeftAdapter(dir, adapter);
  await writeJsonAtomic(join(dir, DESCRIPTIONS_FILE), task.descriptions);
}

/** Reads the whole library (it is small: 62 adapters of 8 modules, about 1 MB), keyed by task id. */
export async function readLibrary(root: string): Promise<Map<string, LibraryEntry>> {
  const library = await readLoraLibrary(root);
  const entries = new Map<string, LibraryEntry>();
  for await (const { task, adapter } of library.adapters()) entries.set(task.name, { name: task.name, descriptions: task.descriptions, adapter });
  return entries;
}
