// The evaluation harness: applies an adapter's update (merged into the base weights) and measures accuracy
// on a task's held-out test examples, with the neutral prompt.
import type { LoraAdapter } from '@loragen/lora-io';
import type { BaseModelConfig } from '../model/config';
import type { WeightTable } from '../model/parameters';
import { disposeTensors, tensorsOf } from '../model/tensors';
import { adapterDeltas, mergeDeltas, type WeightDeltas } from '../lora/delta';
import type { Task } from '../tasks/family';
import { evaluateAccuracy } from './accuracy';

export interface HarnessOptions {
  /** Seed of the test examples. @default 1 */
  seed?: number;
  /** Test examples per task. @default 512 */
  count?: number;
}

/** Measures a base model with or without an adapter, always on the same test examples of a task. */
export class EvaluationHarness {
  constructor(
    readonly base: WeightTable,
    readonly config: BaseModelConfig,
    private readonly opts: HarnessOptions = {},
  ) {}

  /** Test accuracy in percent of the base model plus `update` (an adapter, its updates, or null for the base). */
  async accuracy(task: Task, update: LoraAdapter | WeightDeltas | null): Promise<number> {
    const deltas = update === null ? new Map() : update instanceof Map ? update : adapterDeltas(update);
    const weights = tensorsOf(mergeDeltas(this.base, deltas));
    try {
      const fraction = await evaluateAccuracy(weights, this.config, task, { seed: this.opts.seed ?? 1, count: this.opts.count ?? 512 });
      return 100 * fraction;
    } finally {
      disposeTensors(weights);
    }
  }
}
