// The evaluation harness: applies an adapter's update (merged into the base weights) and measures accuracy
// on a task's held-out test examples, with the neutral prompt.
import type { LoraAdapter } from '@loragen/lora-io';
import type { BaseModelConfig } from '../model/config';
import type { WeightTable } from '../model/parameters';
import { disposeTensors, tensorsOf } from '../model/tensors';
import { adapterDeltas, mergeDeltas, type WeightDeltas } from '../lora/delta';
import type { Examples, LibraryTask, TestExamples } from '../tasks/family';
import { accuracyOn } from './accuracy';

export interface HarnessOptions<T extends LibraryTask> {
  /** The library's test examples of a task. */
  examples: TestExamples<T>;
  /** Seed of the test examples. @default 1 */
  seed?: number;
  /** Test examples per task. @default 512 */
  count?: number;
}

/** Measures a base model with or without an adapter, always on the same test examples of a task. */
export class EvaluationHarness<T extends LibraryTask> {
  /** Each task's test examples, drawn once (a teacher-labelled library computes them with a forward pass). */
  private readonly drawn = new Map<string, Examples>();

  constructor(
    readonly base: WeightTable,
    readonly config: BaseModelConfig,
    private readonly opts: HarnessOptions<T>,
  ) {}

  /** Test accuracy in percent of the base model plus `update` (an adapter, its updates, or null for the base). */
  async accuracy(task: T, update: LoraAdapter | WeightDeltas | null): Promise<number> {
    if (!this.drawn.has(task.id)) this.drawn.set(task.id, this.opts.examples(task, this.opts.seed ?? 1, this.opts.count ?? 512));
    const deltas = update === null ? new Map() : update instanceof Map ? update : adapterDeltas(update);
    const weights = tensorsOf(mergeDeltas(this.base, deltas));
    try {
      return 100 * (await accuracyOn(weights, this.config, this.drawn.get(task.id)!));
    } finally {
      disposeTensors(weights);
    }
  }
}
