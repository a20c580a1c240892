// The LoRA libraries the benchmark and the demo run on: where each lives, its tasks, which of them are held out
// (zero-shot), and how a task's test examples are drawn.
import type { DemoAssets } from '../library/load-assets';
import { ASSETS_DIR, SKILLS_ASSETS_DIR } from '../library/paths';
import { tensorsOf } from '../model/tensors';
import { teacherExamples } from '../skills/planted-skills';
import { listSkillTasks, SKILL_ZERO_SHOT_TASK_IDS, skillTaskById } from '../skills/skill-family';
import { digitsTestExamples, listTasks, taskById, ZERO_SHOT_TASK_IDS, type LibraryTask, type TestExamples } from '../tasks/family';

export const LIBRARY_NAMES = ['digits', 'skills'] as const;

export type LibraryName = (typeof LIBRARY_NAMES)[number];

export interface BenchLibrary {
  name: LibraryName;
  /** Folder of the committed base model, LoRA library and manifest. */
  assets: string;
  /** Every task of the library, training and zero-shot. */
  tasks: LibraryTask[];
  /** Tasks held out of every generator's training. */
  zeroShot: readonly string[];
  /** Test examples of a task on the loaded assets (the skills teachers are defined on the base model). */
  examples(assets: DemoAssets): TestExamples<LibraryTask>;
  /** What `npm run demo` shows by default: a library task named in one of its held-out wordings, and a zero-shot task. */
  demo: { seen: { task: string; wording: number }; unseen: string };
}

const LIBRARIES: Record<LibraryName, BenchLibrary> = {
  digits: {
    name: 'digits',
    assets: ASSETS_DIR,
    tasks: listTasks(),
    zeroShot: ZERO_SHOT_TASK_IDS,
    examples: () => (task, seed, count) => digitsTestExamples(taskById(task.id), seed, count),
    demo: { seen: { task: 'absent-7', wording: 1 }, unseen: 'contains-8' },
  },
  skills: {
    name: 'skills',
    assets: SKILLS_ASSETS_DIR,
    tasks: listSkillTasks(),
    zeroShot: SKILL_ZERO_SHOT_TASK_IDS,
    examples: (assets) => {
      // held for the life of the process: every evaluation of this library draws its teachers' labels from it
      const base = tensorsOf(assets.base);
      return (task, seed, count) => teacherExamples(skillTaskById(task.id), base, assets.config, 'test', seed, count);
    },
    demo: { seen: { task: 'amber-cedar', wording: 1 }, unseen: SKILL_ZERO_SHOT_TASK_IDS[0] },
  },
};

/** The library named `name`, or throws naming the known ones. */
export function benchLibrary(name: string): BenchLibrary {
  if (!(LIBRARY_NAMES as readonly string[]).includes(name)) throw new RangeError(`unknown library '${name}'; known: ${LIBRARY_NAMES.join(', ')}`);
  return LIBRARIES[name as LibraryName];
}

/** The library's training tasks: all but the zero-shot ones. */
export const trainingTasks = (library: BenchLibrary): LibraryTask[] => library.tasks.filter((t) => !library.zeroShot.includes(t.id));
