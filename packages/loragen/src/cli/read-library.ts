import { readLoraLibrary } from '@loragen/lora-io/node';
import type { LibraryTask } from '../data/factor-set';

/** A library folder as the stream of tasks `LoraGen.fit` takes (one adapter in memory at a time). */
export async function* libraryTasks(dir: string): AsyncGenerator<LibraryTask> {
  const library = await readLoraLibrary(dir);
  for await (const { task, adapter } of library.adapters()) {
    yield { name: task.name, descriptions: task.descriptions, adapter };
  }
}
