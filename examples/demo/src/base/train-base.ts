// Pre-trains the base model from scratch on the prompted multi-task mixture.
import * as tf from '@tensorflow/tfjs';
import type { BaseModelConfig } from '../model/config';
import { forward } from '../model/forward';
import { accuracyOf, inputsTensor } from '../model/objective';
import { initialWeights, type WeightTable } from '../model/parameters';
import { disposeTensors, tableOf, variablesOf } from '../model/tensors';
import { trainLoop, type TrainingBudget } from '../model/train-loop';
import { mixtureExamples, type Task } from '../tasks/family';
import { createRng, deriveSeed } from '../tasks/random';

/** Defaults: 3000 steps, batch 64, learning rate 3e-3, stop at 0.97 prompted mixture accuracy. */
export interface BaseTrainingOptions extends TrainingBudget {
  config: BaseModelConfig;
  /** Tasks of the mixture (all of the family: the base model knows every task when it is named in the prompt). */
  tasks: readonly Task[];
  seed: number;
}

/** Trains the base model; returns its weights and the prompted mixture accuracy it reached. */
export async function trainBaseModel(opts: BaseTrainingOptions): Promise<{ weights: WeightTable; accuracy: number; steps: number }> {
  const batchSize = opts.batchSize ?? 64;
  const variables = variablesOf(initialWeights(opts.config, createRng(deriveSeed('base/init', opts.seed))));
  const validation = mixtureExamples(opts.tasks, deriveSeed('base/validation', opts.seed), 1024);
  const validationInputs = inputsTensor(validation);
  try {
    const result = await trainLoop({
      variables: [...variables.values()],
      logits: (inputs) => forward(inputs, variables, opts.config),
      batch: (step) => mixtureExamples(opts.tasks, deriveSeed(`base/batch/${step}`, opts.seed), batchSize),
      steps: opts.steps ?? 3000,
      learningRate: opts.learningRate ?? 3e-3,
      validation: {
        every: 250,
        target: opts.targetAccuracy ?? 0.97,
        accuracy: async () => {
          const logits = tf.tidy(() => forward(validationInputs, variables, opts.config));
          const accuracy = await accuracyOf(logits, validation.labels);
          logits.dispose();
          return accuracy;
        },
      },
      onProgress: opts.onProgress,
    });
    return { weights: await tableOf(variables), ...result };
  } finally {
    validationInputs.dispose();
    disposeTensors(variables);
  }
}
