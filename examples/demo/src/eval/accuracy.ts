// The evaluation harness's core: accuracy of the base model (optionally with LoRA side paths) on a task.
import * as tf from '@tensorflow/tfjs';
import type { BaseModelConfig } from '../model/config';
import { forward, type LoraSidePaths, type ModelTensors } from '../model/forward';
import { accuracyOf, inputsTensor } from '../model/objective';
import { taskExamples, type Examples, type PromptKind, type Split, type Task } from '../tasks/family';

export interface AccuracyOptions {
  /** @default 'test' */
  split?: Split;
  seed: number;
  /** Examples drawn from the split. @default 512 */
  count?: number;
  /** @default 'neutral' (the task is not named: only weights can say what to do) */
  prompt?: PromptKind;
  lora?: LoraSidePaths;
}

/** Accuracy in [0, 1] of the model on `count` examples of `task`'s seeded `split` stream. */
export async function evaluateAccuracy(weights: ModelTensors, config: BaseModelConfig, task: Task, opts: AccuracyOptions): Promise<number> {
  const examples = taskExamples(task, opts.split ?? 'test', opts.seed, opts.count ?? 512, opts.prompt ?? 'neutral');
  return accuracyOn(weights, config, examples, opts.lora);
}

/** Accuracy in [0, 1] of the model (with `lora`'s side paths when given) on `examples`' labels. */
export async function accuracyOn(weights: ModelTensors, config: BaseModelConfig, examples: Examples, lora?: LoraSidePaths): Promise<number> {
  const logits = tf.tidy(() => forward(inputsTensor(examples), weights, config, lora));
  try {
    return await accuracyOf(logits, examples.labels);
  } finally {
    logits.dispose();
  }
}
