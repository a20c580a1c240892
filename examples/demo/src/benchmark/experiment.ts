// One seed of the paper benchmark: train the LoRAGen variants on the library's training tasks and measure every
// method on every task's held-out test examples (in-distribution tasks and zero-shot tasks).
import { embedTasks, LoraGen, type FitProgress, type TaskTextEncoder } from '@loragen/core';
import type { LoraAdapter } from '@loragen/lora-io';
import { EvaluationHarness } from '../eval/harness';
import { nearestByCosine } from '../eval/nearest';
import type { LibraryEntry } from '../library/library-folder';
import { adapterDeltas, meanDeltas, type WeightDeltas } from '../lora/delta';
import type { BaseModelConfig } from '../model/config';
import type { WeightTable } from '../model/parameters';
import type { Task } from '../tasks/family';
import { compactConfig, libraryTextEncoder, LORAGEN_VARIANTS, variantConfig, type LoraGenVariant, type MethodId } from './methods';

export interface ExperimentSetup {
  base: WeightTable;
  config: BaseModelConfig;
  library: ReadonlyMap<string, LibraryEntry>;
  /** Tasks LoRAGen (and the library baselines) learn from. */
  training: readonly Task[];
  /** Tasks to evaluate; those not in `training` are zero-shot. */
  evaluated: readonly Task[];
  /** Training budget of the LoRAGen variants. */
  scale: { autoencoderSteps: number; diffusionSteps: number };
  /** Test examples per task. @default 512 */
  testExamples?: number;
}

/** Accuracy (percent) by method, then by task id; `task-lora` is measured on training tasks only. */
export type SeedAccuracies = Map<MethodId, Map<string, number>>;

export interface SeedProgress {
  method: MethodId;
  /** Set while a LoRAGen variant trains. */
  fit?: FitProgress;
  /** Tasks evaluated so far for `method`. */
  evaluated?: number;
}

function entryOf(library: ReadonlyMap<string, LibraryEntry>, task: Task): LibraryEntry {
  const entry = library.get(task.id);
  if (!entry) throw new RangeError(`the library has no adapter for task '${task.id}'; rebuild it with the build-library script`);
  return entry;
}

/** Mean description embedding of each task, as rows of plain arrays. */
async function taskEmbeddings(encoder: TaskTextEncoder, tasks: readonly Task[]): Promise<Float32Array[]> {
  const table = await embedTasks(encoder, tasks.map((t) => t.descriptions));
  const values = (await table.data()) as Float32Array;
  table.dispose();
  return tasks.map((_, i) => values.slice(i * encoder.dim, (i + 1) * encoder.dim));
}

/** Trains one LoRAGen variant on the training tasks and generates one adapter per evaluated task. */
async function generateAll(
  setup: ExperimentSetup,
  variant: LoraGenVariant,
  seed: number,
  onFit: (progress: FitProgress) => void,
): Promise<Map<string, LoraAdapter>> {
  const library = setup.training.map((t) => entryOf(setup.library, t));
  const textEncoder = libraryTextEncoder(setup.training);
  const gen = await LoraGen.fit(library, variantConfig(variant, compactConfig(seed, setup.scale)), { onProgress: onFit, textEncoder });
  try {
    const conditions = await taskEmbeddings(gen.textEncoder, setup.evaluated);
    const adapters = new Map<string, LoraAdapter>();
    for (const [i, task] of setup.evaluated.entries()) adapters.set(task.id, await gen.generate(conditions[i], { seed }));
    return adapters;
  } finally {
    gen.dispose();
  }
}

/** Runs `methods` for one seed (the seed of LoRAGen's training, its sampling noise and the test examples). */
export async function runSeed(
  setup: ExperimentSetup,
  seed: number,
  methods: readonly MethodId[],
  onProgress: (progress: SeedProgress) => void = () => {},
): Promise<SeedAccuracies> {
  const harness = new EvaluationHarness(setup.base, setup.config, { seed, count: setup.testExamples ?? 512 });
  const trainingIds = new Set(setup.training.map((t) => t.id));
  const results: SeedAccuracies = new Map();
  const measure = async (method: MethodId, updateOf: (task: Task) => LoraAdapter | WeightDeltas | null, tasks = setup.evaluated) => {
    const accuracies = new Map<string, number>();
    for (const task of tasks) {
      accuracies.set(task.id, await harness.accuracy(task, updateOf(task)));
      onProgress({ method, evaluated: accuracies.size });
    }
    results.set(method, accuracies);
  };
  for (const method of methods) {
    if (method === 'base') await measure(method, () => null);
    if (method === 'task-lora') await measure(method, (t) => entryOf(setup.library, t).adapter, setup.evaluated.filter((t) => trainingIds.has(t.id)));
    if (method === 'average-lora') {
      const mean = meanDeltas(setup.training.map((t) => adapterDeltas(entryOf(setup.library, t).adapter)));
      await measure(method, () => mean);
    }
    if (method === 'nearest-description') {
      const encoder = libraryTextEncoder(setup.training);
      const [library, queries] = await Promise.all([taskEmbeddings(encoder, setup.training), taskEmbeddings(encoder, setup.evaluated)]);
      const nearest = new Map(setup.evaluated.map((t, i) => [t.id, setup.training[nearestByCosine(queries[i], library)]]));
      await measure(method, (t) => entryOf(setup.library, nearest.get(t.id)!).adapter);
    }
    if ((LORAGEN_VARIANTS as readonly string[]).includes(method)) {
      const generated = await generateAll(setup, method as LoraGenVariant, seed, (fit) => onProgress({ method, fit }));
      await measure(method, (t) => generated.get(t.id)!);
    }
  }
  return results;
}
