import * as fs from 'node:fs';
import * as path from 'node:path';
import { writePeftAdapter } from '@loragen/lora-io/node';
import type { LibraryTask } from '../../src';

/** Writes tasks as a library folder: one PEFT adapter folder per task with its descriptions.json. */
export async function writeLibrary(dir: string, tasks: LibraryTask[]): Promise<void> {
  for (const t of tasks) {
    const taskDir = path.join(dir, t.name);
    await writePeftAdapter(taskDir, t.adapter);
    fs.writeFileSync(path.join(taskDir, 'descriptions.json'), JSON.stringify(t.descriptions));
  }
}
