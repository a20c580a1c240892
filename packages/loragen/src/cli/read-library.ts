import { readLoraLibrary } from '@loragen/lora-io/node';
import type { LibraryTask } from '../data/factor-set';
import { LibraryError } from '../errors';

/**
 * A library folder as the stream of tasks `LoraGen.fit` takes (one adapter in memory at a time). The folder's
 * layout is read first, so a library of fewer than `minTasks` tasks is refused, by its path, before any adapter.
 */
export async function* libraryTasks(dir: string, minTasks = 2): AsyncGenerator<LibraryTask> {
  const library = await readLoraLibrary(dir);
  if (library.tasks.length < minTasks) {
    throw new LibraryError(
      `the library ${dir} holds ${library.tasks.length} task(s) (${library.tasks.map((t) => t.name).join(', ')}); at least ${minTasks} are needed`,
      'add task folders: LoRAGen learns how adapters differ between tasks',
    );
  }
  for await (const { task, adapter } of library.adapters()) {
    yield { name: task.name, descriptions: task.descriptions, adapter };
  }
}
