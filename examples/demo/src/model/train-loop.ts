// One gradient-descent loop for pre-training and LoRA training: Adam on a fixed variable list,
// a fresh seeded batch per step, and an optional early stop once held-out accuracy reaches a target.
import * as tf from '@tensorflow/tfjs';
import type { Examples } from '../tasks/family';
import { crossEntropy, inputsTensor } from './objective';

/** Progress of a training loop, reported every `reportEvery` steps and at the end. */
export interface TrainProgress {
  step: number;
  steps: number;
  loss: number;
  /** Held-out accuracy, when the loop evaluated at this step. */
  accuracy?: number;
}

/** What a caller of a training program may set; each program documents its own defaults. */
export interface TrainingBudget {
  /** Maximum steps. */
  steps?: number;
  batchSize?: number;
  learningRate?: number;
  /** Stop early once held-out accuracy reaches this. */
  targetAccuracy?: number;
  onProgress?: (progress: TrainProgress) => void;
}

export interface TrainLoopOptions {
  variables: tf.Variable[];
  /** Logits [n, classes] of a batch of token ids; called inside the gradient tape. */
  logits: (inputs: tf.Tensor2D) => tf.Tensor2D;
  /** The batch of step `step` (seeded by the caller so runs repeat exactly). */
  batch: (step: number) => Examples;
  /** Maximum steps. */
  steps: number;
  learningRate: number;
  /** Held-out accuracy check: every `every` steps; the loop stops early once it reaches `target`. */
  validation?: { every: number; target: number; accuracy: () => Promise<number> };
  onProgress?: (progress: TrainProgress) => void;
  /** @default 50 */
  reportEvery?: number;
}

/** Runs the loop; returns the steps taken and the last held-out accuracy measured (NaN when none). */
export async function trainLoop(opts: TrainLoopOptions): Promise<{ steps: number; accuracy: number }> {
  const optimizer = tf.train.adam(opts.learningRate);
  const reportEvery = opts.reportEvery ?? 50;
  let accuracy = Number.NaN;
  let step = 0;
  try {
    while (step < opts.steps) {
      const examples = opts.batch(step);
      const inputs = inputsTensor(examples);
      const loss = optimizer.minimize(() => crossEntropy(opts.logits(inputs), examples), true, opts.variables);
      inputs.dispose();
      step++;
      const validate = opts.validation && step % opts.validation.every === 0;
      if (validate) accuracy = await opts.validation!.accuracy();
      if (validate || step % reportEvery === 0 || step === opts.steps) {
        const value = (await loss!.data())[0];
        opts.onProgress?.({ step, steps: opts.steps, loss: value, ...(validate ? { accuracy } : {}) });
      }
      loss?.dispose();
      if (validate && accuracy >= opts.validation!.target) break;
    }
  } finally {
    optimizer.dispose();
  }
  return { steps: step, accuracy };
}
