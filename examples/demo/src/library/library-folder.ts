// The LoRA library on disk: one folder per task, a PEFT adapter plus `descriptions.json` (lora-io's library layout).
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readPeftAdapter, writePeftAdapter, type LoraAdapter } from '@loragen/lora-io/node';
import type { Task } from '../tasks/family';
import { writeFileAtomic } from './base-model-file';

export const DESCRIPTIONS_FILE = 'descriptions.json';

/** Writes one task's adapter and descriptions into `<root>/<task id>/`. */
export async function writeLibraryEntry(root: string, task: Task, adapter: LoraAdapter): Promise<void> {
  const dir = join(root, task.id);
  await mkdir(dir, { recursive: true });
  await writePeftAdapter(dir, adapter);
  await writeFileAtomic(join(dir, DESCRIPTIONS_FILE), `${JSON.stringify(task.descriptions, null, 2)}\n`);
}

/** Reads one task's adapter and descriptions back. */
export async function readLibraryEntry(root: string, taskId: string): Promise<{ adapter: LoraAdapter; descriptions: string[] }> {
  const dir = join(root, taskId);
  const [adapter, descriptions] = await Promise.all([
    readPeftAdapter(dir),
    readFile(join(dir, DESCRIPTIONS_FILE), 'utf8').then((s) => JSON.parse(s) as string[]),
  ]);
  return { adapter, descriptions };
}
