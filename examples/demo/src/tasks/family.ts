// The task family: every (operation, digit) pair is a task with paraphrased descriptions and
// seeded train / test example generators.
import { OPERATIONS, type Operation } from './operations';
import { createRng, deriveSeed } from './random';
import { INPUT_LENGTH, OPERATION_TOKENS, SEQUENCE_LENGTH, UNKNOWN_TOKEN } from './vocabulary';

const DIGIT_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];

/** What the benchmark needs of a task of any library: its id and how it is described. */
export interface LibraryTask {
  /** Stable id; also the task's folder name in the LoRA library. */
  id: string;
  /** At least five natural-language descriptions, the ones generators learn from. */
  descriptions: string[];
  /** Further wordings never used in training or as a lookup key. */
  heldOutDescriptions: string[];
  /**
   * Wordings for choosing text-side settings (matching rules, anchoring thresholds), in shapes unlike both the
   * descriptions and the held-out wordings; never used in training, as a lookup key or in reported results.
   */
  validationDescriptions: string[];
}

/** One task of the family. */
export interface Task extends LibraryTask {
  /** e.g. `contains-7`. */
  id: string;
  operation: Operation;
  /** The digit the operation is instantiated with. */
  arg: number;
  /** At least five paraphrased natural-language descriptions. */
  descriptions: string[];
  /** Two further wordings never used in training or as a lookup key (see `Operation.heldOutTemplates`). */
  heldOutDescriptions: string[];
  /** Three wordings for choosing settings (see `Operation.validationTemplates`). */
  validationDescriptions: string[];
}

/** Which prompt the examples carry: the pre-training prompt naming the task, or the neutral one. */
export type PromptKind = 'task' | 'neutral';

/**
 * A batch of examples: `inputs` is [count, INPUT_LENGTH] row-major token ids, `labels` the class of each (for this
 * family 1 for yes, 0 for no).
 */
export interface Examples {
  inputs: Int32Array;
  labels: Int32Array;
  count: number;
  /** Class probabilities [count, classes] to imitate (a teacher's); training matches these instead of the labels. */
  targets?: Float32Array;
}

/** A task as a LoRA is trained and evaluated on it: an id and seeded example streams, one per split. */
export interface ExampleSource {
  id: string;
  examples(split: Split, seed: number, count: number): Examples;
}

/** Which stream of examples: the three splits never share a seed. */
export type Split = 'train' | 'validation' | 'test';

const describe = (template: string, arg: number): string => template.replaceAll('{d}', String(arg)).replaceAll('{w}', DIGIT_WORDS[arg]);

/** All tasks (62), ordered by operation then digit. */
export function listTasks(): Task[] {
  return OPERATIONS.flatMap((operation) =>
    operation.args.map((arg) => ({
      id: `${operation.name}-${arg}`,
      operation,
      arg,
      descriptions: operation.templates.map((t) => describe(t, arg)),
      heldOutDescriptions: operation.heldOutTemplates.map((t) => describe(t, arg)),
      validationDescriptions: operation.validationTemplates.map((t) => describe(t, arg)),
    })),
  );
}

/**
 * Tasks held out entirely from LoRAGen's training in the benchmark and the demo (zero-shot): every operation and
 * every digit still occurs in the training tasks, so a held-out task is a new combination of known parts.
 */
export const ZERO_SHOT_TASK_IDS: readonly string[] = [
  'contains-3',
  'contains-8',
  'absent-1',
  'absent-6',
  'first-2',
  'first-7',
  'last-0',
  'last-5',
  'twice-4',
  'twice-9',
  'maxAtLeast-6',
  'minAtMost-3',
];

/** Finds a task by id, or throws naming the known ids. */
export function taskById(id: string): Task {
  const task = listTasks().find((t) => t.id === id);
  if (!task)
    throw new RangeError(
      `unknown task '${id}'; known tasks: ${listTasks()
        .map((t) => t.id)
        .join(', ')}`,
    );
  return task;
}

/** Writes one example (digits then prompt) into `inputs` at row `row` and returns its exact label. */
function writeExample(task: Task, rng: ReturnType<typeof createRng>, prompt: PromptKind, inputs: Int32Array, row: number): number {
  const sequence = task.operation.sample(rng, task.arg, rng.next() < 0.5);
  const offset = row * INPUT_LENGTH;
  inputs.set(sequence, offset);
  inputs[offset + SEQUENCE_LENGTH] = prompt === 'task' ? OPERATION_TOKENS[task.operation.name] : UNKNOWN_TOKEN;
  inputs[offset + SEQUENCE_LENGTH + 1] = prompt === 'task' ? task.arg : UNKNOWN_TOKEN;
  return task.operation.answer(sequence, task.arg) ? 1 : 0;
}

/** `count` examples of one task from its seeded `split` stream. */
export function taskExamples(task: Task, split: Split, seed: number, count: number, prompt: PromptKind = 'neutral'): Examples {
  const rng = createRng(deriveSeed(`${task.id}/${split}`, seed));
  const inputs = new Int32Array(count * INPUT_LENGTH);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) labels[i] = writeExample(task, rng, prompt, inputs, i);
  return { inputs, labels, count };
}

/** A task's test examples, `count` of them from its seeded test stream (the harness's view of a library). */
export type TestExamples<T extends LibraryTask> = (task: T, seed: number, count: number) => Examples;

/** This family's test examples (neutral prompt). */
export const digitsTestExamples: TestExamples<Task> = (task, seed, count) => taskExamples(task, 'test', seed, count);

/** A task of this family as an example source (neutral prompt: only the weights can say what to do). */
export const exampleSource = (task: Task): ExampleSource => ({
  id: task.id,
  examples: (split, seed, count) => taskExamples(task, split, seed, count),
});

/** A multi-task mixture with task prompts: what the base model is pre-trained on. */
export function mixtureExamples(tasks: readonly Task[], seed: number, count: number): Examples {
  const rng = createRng(deriveSeed('mixture', seed));
  const inputs = new Int32Array(count * INPUT_LENGTH);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) labels[i] = writeExample(tasks[rng.int(0, tasks.length - 1)], rng, 'task', inputs, i);
  return { inputs, labels, count };
}
