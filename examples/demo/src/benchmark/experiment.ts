// One seed of the paper benchmark: train the LoRAGen variants on the library's training tasks and measure every
// method on every task's held-out test examples (in-distribution tasks, also named in held-out wordings, and
// zero-shot tasks), with the stage-by-stage quality ledger of each LoRAGen variant.
import * as tf from '@tensorflow/tfjs';
import {
  embedTasks,
  LoraGen,
  TextToLora,
  type FitProgress,
  type GenerationConfidence,
  type LoraGenConfigInput,
  type TaskTextEncoder,
} from '@loragen/core';
import type { LoraAdapter } from '@loragen/lora-io';
import { EvaluationHarness } from '../eval/harness';
import { nearestByCosine } from '../eval/nearest';
import { oracleSpanAdapter } from '../eval/oracle-span';
import { RidgeDw } from '../eval/ridge-dw';
import { updateGram } from '../eval/update-inner';
import type { LibraryEntry } from '../library/library-folder';
import { adapterDeltas, meanDeltas, type WeightDeltas } from '../lora/delta';
import type { BaseModelConfig } from '../model/config';
import type { WeightTable } from '../model/parameters';
import type { LibraryTask, TestExamples } from '../tasks/family';
import { latentLedger, type LatentLedger } from './latent-ledger';
import type { LibraryName } from './libraries';
import { libraryConfig, libraryTextEncoder, LORAGEN_VARIANTS, variantConfig, withOverrides, type LoraGenVariant, type MethodId } from './methods';

export interface ExperimentSetup<T extends LibraryTask = LibraryTask> {
  /** Which library this is: it picks the LoRAGen config (`libraryConfig`). */
  libraryName: LibraryName;
  base: WeightTable;
  config: BaseModelConfig;
  library: ReadonlyMap<string, LibraryEntry>;
  /** The library's test examples of a task. */
  examples: TestExamples<T>;
  /** Tasks LoRAGen (and the library baselines) learn from. */
  training: readonly T[];
  /** Tasks to evaluate; those not in `training` are zero-shot. */
  evaluated: readonly T[];
  /** Training budget of the LoRAGen variants. */
  scale: { autoencoderSteps: number; diffusionSteps: number };
  /** Test examples per task. @default 512 */
  testExamples?: number;
  /** Laid over the compact LoRAGen config of every variant (section by section), before the variant's ablation. */
  configOverrides?: LoraGenConfigInput;
}

/** Accuracy (percent) by method, then by task id (`task-lora` of a zero-shot task: its own LoRA, the ceiling). */
export type SeedAccuracies = Map<MethodId, Map<string, number>>;

/** Where one LoRAGen variant loses quality, per evaluated training task (see {@link SeedResult.ledger}). */
export interface SeedLedger extends LatentLedger {
  /** Accuracy of the decoded posterior mean of the task's own adapter (the autoencoder's round trip). */
  roundTrip: Map<string, number>;
}

/** Samples behind each confidence estimate (and the medoid) in the benchmark. */
export const CONFIDENCE_SAMPLES = 8;

/**
 * One generated adapter of `loragen` with its confidence: the accuracies of the adapter the benchmark reports (one
 * sample), of the medoid of {@link CONFIDENCE_SAMPLES} samples, and of base and the task's own LoRA on its task.
 */
export interface ConfidenceCase
  extends
    Pick<GenerationConfidence, 'score' | 'agreement' | 'novelty' | 'offLibrary'>,
    // absent in units recorded before the score was retrieval x fidelity
    Partial<Pick<GenerationConfidence, 'retrieval' | 'fidelity'>> {
  single: number;
  medoid: number;
  base: number;
  taskLora: number;
}

export interface SeedResult {
  /** Conditioned on each task's training descriptions (their mean embedding), as LoRAGen was trained. */
  accuracies: SeedAccuracies;
  /**
   * Training tasks named in their held-out wordings, the mean over the wordings, each generated (or looked up)
   * on its own. Methods that never read a description repeat their `accuracies`.
   */
  newWording: SeedAccuracies;
  /** Per LoRAGen variant that ran. */
  ledger: Map<LoraGenVariant, SeedLedger>;
  /**
   * `loragen`'s confidence cases, by task id (conditioned on its training descriptions) or `<task id>@<k>` (its
   * k-th held-out wording). Absent when `loragen` did not run.
   */
  confidence?: Map<string, ConfidenceCase>;
}

export interface SeedProgress {
  method: MethodId;
  /** Set while a LoRAGen variant trains. */
  fit?: FitProgress;
  /** Tasks evaluated so far for `method`. */
  evaluated?: number;
}

function entryOf(library: ReadonlyMap<string, LibraryEntry>, task: LibraryTask): LibraryEntry {
  const entry = library.get(task.id);
  if (!entry) throw new RangeError(`the library has no adapter for task '${task.id}'; rebuild it with the build-library script`);
  return entry;
}

/** Mean description embedding of each task, as rows of plain arrays. */
async function taskEmbeddings(encoder: TaskTextEncoder, descriptions: readonly string[][]): Promise<Float32Array[]> {
  const table = await embedTasks(
    encoder,
    descriptions.map((d) => [...d]),
  );
  const values = (await table.data()) as Float32Array;
  table.dispose();
  return descriptions.map((_, i) => values.slice(i * encoder.dim, (i + 1) * encoder.dim));
}

/** What one trained variant produced: adapters by task, per held-out wording, and its ledger. */
interface VariantOutput {
  /** Per case (see {@link SeedResult.confidence}): its task, the reported adapter, the medoid and the confidence. */
  confident?: Map<string, { task: LibraryTask; single: LoraAdapter; medoid: LoraAdapter; confidence: GenerationConfidence }>;
  generated: Map<string, LoraAdapter>;
  newWording: Map<string, LoraAdapter[]>;
  roundTrip: Map<string, LoraAdapter>;
  latents: LatentLedger;
}

/**
 * Trains one LoRAGen variant on the training tasks, then: one adapter per evaluated task from its training
 * descriptions, one per held-out wording of each evaluated training task, and the round trip and latent ledger
 * of the evaluated training tasks.
 */
async function runVariant<T extends LibraryTask>(
  setup: ExperimentSetup<T>,
  variant: LoraGenVariant,
  seed: number,
  onFit: (progress: FitProgress) => void,
): Promise<VariantOutput> {
  const library = setup.training.map((t) => entryOf(setup.library, t));
  const textEncoder = libraryTextEncoder(setup.training);
  const config = withOverrides(libraryConfig(setup.libraryName, seed, setup.scale), (setup.configOverrides ?? {}) as Record<string, unknown>);
  const gen = await LoraGen.fit(library, variantConfig(variant, config), { onProgress: onFit, textEncoder });
  const trainingIds = new Set(setup.training.map((t) => t.id));
  const seen = setup.evaluated.filter((t) => trainingIds.has(t.id));
  const owned: tf.Tensor[] = [];
  try {
    const conditions = await taskEmbeddings(
      gen.textEncoder,
      setup.evaluated.map((t) => t.descriptions),
    );
    const sampled = await gen.sampleLatents(conditions, { seed });
    owned.push(sampled);
    const generatedList = await gen.decode(sampled);
    const wordings = seen.flatMap((t) => t.heldOutDescriptions);
    const wordingAdapters = wordings.length > 0 ? await gen.generate(wordings, { seed }) : [];
    const libraryLatents = await gen.encode(library.map((e) => e.adapter));
    owned.push(libraryLatents);
    const ownIndex = seen.map((t) => setup.training.findIndex((x) => x.id === t.id));
    const ownLatents = tf.gather(libraryLatents, ownIndex) as tf.Tensor3D;
    owned.push(ownLatents);
    const roundTripList = await gen.decode(ownLatents);
    const seenRows = seen.map((t) => setup.evaluated.indexOf(t));
    const seenSampled = tf.gather(sampled, seenRows);
    owned.push(seenSampled);
    const latents = latentLedger(
      (await seenSampled.array()) as number[][][],
      (await libraryLatents.array()) as number[][][],
      ownIndex,
      seen.map((t) => t.id),
    );
    const confident =
      variant === 'loragen'
        ? new Map<string, { task: LibraryTask; single: LoraAdapter; medoid: LoraAdapter; confidence: GenerationConfidence }>()
        : undefined;
    if (confident) {
      for (const [i, task] of setup.evaluated.entries()) {
        const g = await gen.generate(conditions[i], { samples: CONFIDENCE_SAMPLES, seed });
        confident.set(task.id, { task, single: generatedList[i], medoid: g.adapter, confidence: g.confidence });
      }
      let k = 0;
      for (const task of seen) {
        for (const [j, wording] of task.heldOutDescriptions.entries()) {
          const g = await gen.generate(wording, { samples: CONFIDENCE_SAMPLES, seed });
          confident.set(`${task.id}@${j + 1}`, { task, single: wordingAdapters[k++], medoid: g.adapter, confidence: g.confidence });
        }
      }
    }
    let w = 0;
    return {
      confident,
      generated: new Map(setup.evaluated.map((t, i) => [t.id, generatedList[i]])),
      newWording: new Map(seen.map((t) => [t.id, t.heldOutDescriptions.map(() => wordingAdapters[w++])])),
      roundTrip: new Map(seen.map((t, i) => [t.id, roundTripList[i]])),
      latents,
    };
  } finally {
    tf.dispose(owned);
    gen.dispose();
  }
}

/** Runs `methods` for one seed (the seed of LoRAGen's training, its sampling noise and the test examples). */
export async function runSeed<T extends LibraryTask>(
  setup: ExperimentSetup<T>,
  seed: number,
  methods: readonly MethodId[],
  onProgress: (progress: SeedProgress) => void = () => {},
): Promise<SeedResult> {
  const harness = new EvaluationHarness(setup.base, setup.config, { seed, count: setup.testExamples ?? 512, examples: setup.examples });
  const trainingIds = new Set(setup.training.map((t) => t.id));
  const seen = setup.evaluated.filter((t) => trainingIds.has(t.id));
  const result: SeedResult = { accuracies: new Map(), newWording: new Map(), ledger: new Map() };
  type Update = LoraAdapter | WeightDeltas | null;
  /** Mean accuracy of each task over its updates (one per wording, or one). */
  const measure = async (method: MethodId, tasks: readonly T[], updatesOf: (task: T) => readonly Update[]) => {
    const accuracies = new Map<string, number>();
    for (const task of tasks) {
      const updates = updatesOf(task);
      let sum = 0;
      for (const update of updates) sum += await harness.accuracy(task, update);
      accuracies.set(task.id, sum / updates.length);
      onProgress({ method, evaluated: accuracies.size });
    }
    return accuracies;
  };
  /** A method that never reads a description: the same numbers under new wordings. */
  const blind = async (method: MethodId, tasks: readonly T[], updateOf: (task: T) => Update) => {
    const accuracies = await measure(method, tasks, (t) => [updateOf(t)]);
    result.accuracies.set(method, accuracies);
    result.newWording.set(method, new Map(seen.map((t) => [t.id, accuracies.get(t.id)!])));
  };
  const encoder = libraryTextEncoder(setup.training);
  /**
   * A baseline that maps a description embedding to an update: each evaluated task from its training descriptions'
   * mean embedding, and each held-out wording of a training task alone.
   */
  const described = async (method: MethodId, updateFor: (query: Float32Array) => Promise<Update>) => {
    const lookup = async (descriptions: readonly string[][]) => {
      const updates: Update[] = [];
      for (const query of await taskEmbeddings(encoder, descriptions)) updates.push(await updateFor(query));
      return updates;
    };
    const byTask = await lookup(setup.evaluated.map((t) => t.descriptions));
    result.accuracies.set(method, await measure(method, setup.evaluated, (t) => [byTask[setup.evaluated.indexOf(t)]]));
    const byWording = await lookup(seen.flatMap((t) => t.heldOutDescriptions.map((d) => [d])));
    let w = 0;
    const perTask = new Map(seen.map((t) => [t.id, t.heldOutDescriptions.map(() => byWording[w++])]));
    result.newWording.set(method, await measure(method, seen, (t) => perTask.get(t.id)!));
  };
  for (const method of methods) {
    if (method === 'base') await blind(method, setup.evaluated, () => null);
    if (method === 'task-lora') await blind(method, setup.evaluated, (t) => entryOf(setup.library, t).adapter);
    if (method === 'oracle-span') {
      const adapters = setup.training.map((t) => entryOf(setup.library, t).adapter);
      const gram = updateGram(adapters);
      const rank = Math.max(...adapters[0].modules.map((m) => m.rank));
      const spans = new Map<string, LoraAdapter>();
      for (const t of setup.evaluated) spans.set(t.id, await oracleSpanAdapter(adapters, gram, entryOf(setup.library, t).adapter, rank));
      await blind(method, setup.evaluated, (t) => spans.get(t.id)!);
    }
    if (method === 'average-lora') {
      const mean = meanDeltas(setup.training.map((t) => adapterDeltas(entryOf(setup.library, t).adapter)));
      await blind(method, setup.evaluated, () => mean);
    }
    if (method === 'nearest-description') {
      const index = await taskEmbeddings(
        encoder,
        setup.training.map((t) => t.descriptions),
      );
      await described(method, async (query) => entryOf(setup.library, setup.training[nearestByCosine(query, index)]).adapter);
    }
    if (method === 'ridge-dw') {
      const adapters = setup.training.map((t) => entryOf(setup.library, t).adapter);
      const ridge = RidgeDw.fit(
        await taskEmbeddings(
          encoder,
          setup.training.map((t) => t.descriptions),
        ),
        updateGram(adapters),
      );
      const rank = Math.max(...adapters[0].modules.map((m) => m.rank));
      await described(method, (query) => ridge.adapter(query, adapters, rank));
    }
    if (method === 't2l-hypernetwork') {
      const library = setup.training.map((t) => entryOf(setup.library, t));
      const config = withOverrides(libraryConfig(setup.libraryName, seed, setup.scale), (setup.configOverrides ?? {}) as Record<string, unknown>);
      const t2l = await TextToLora.fit(library, config, { textEncoder: encoder, onProgress: (fit) => onProgress({ method, fit }) });
      try {
        await described(method, (query) => t2l.generate(query));
      } finally {
        t2l.dispose();
      }
    }
    if ((LORAGEN_VARIANTS as readonly string[]).includes(method)) {
      const variant = method as LoraGenVariant;
      const out = await runVariant(setup, variant, seed, (fit) => onProgress({ method, fit }));
      result.accuracies.set(method, await measure(method, setup.evaluated, (t) => [out.generated.get(t.id)!]));
      result.newWording.set(method, await measure(method, seen, (t) => out.newWording.get(t.id)!));
      result.ledger.set(variant, { ...out.latents, roundTrip: await measure(method, seen, (t) => [out.roundTrip.get(t.id)!]) });
      if (out.confident) {
        result.confidence = new Map();
        for (const [key, c] of out.confident) {
          const task = c.task as T;
          const { score, agreement, novelty, offLibrary, retrieval, fidelity } = c.confidence;
          result.confidence.set(key, {
            score,
            agreement,
            novelty,
            offLibrary,
            retrieval,
            fidelity,
            single: await harness.accuracy(task, c.single),
            medoid: await harness.accuracy(task, c.medoid),
            base: await harness.accuracy(task, null),
            taskLora: await harness.accuracy(task, entryOf(setup.library, task).adapter),
          });
        }
      }
    }
  }
  return result;
}
