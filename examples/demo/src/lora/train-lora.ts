// Trains one task's LoRA (rank r on the chosen projections of every layer) by gradient descent on the
// frozen base model, on examples without the task's name: the adapter alone has to tell the model what to do.
import * as tf from '@tensorflow/tfjs';
import type { LoraAdapter } from '@loragen/lora-io';
import type { BaseModelConfig } from '../model/config';
import { forward, type LoraSidePaths } from '../model/forward';
import { projectionPath, projectionShape, type Projection, type WeightTable } from '../model/parameters';
import { disposeTensors, tensorsOf } from '../model/tensors';
import { trainLoop, type TrainingBudget } from '../model/train-loop';
import type { ExampleSource } from '../tasks/family';
import { createRng, deriveSeed } from '../tasks/random';
import { accuracyOn } from '../eval/accuracy';
import { libraryAdapterConfig, peftModuleName } from './adapter-naming';

/** Defaults: 150 steps (a fixed budget, so that every task's dW has had the same training), batch 64, learning rate 1e-2, no early stop. */
export interface LoraTrainingOptions extends TrainingBudget {
  base: WeightTable;
  config: BaseModelConfig;
  task: ExampleSource;
  seed: number;
  /**
   * `'shared'`: every task's A starts from one draw, as when one person trains a library with one seed (the tasks'
   * factors then share a gauge). `'per-task'`: each task's A is drawn from a seed of its own, as adapters published
   * by different people are. @default 'shared'
   */
  init?: 'shared' | 'per-task';
  /** @default 4 */
  rank?: number;
  /** PEFT lora_alpha; scaling = alpha / rank. @default 8 */
  alpha?: number;
  /** Adapted projections in every layer. @default ['q', 'v'] */
  projections?: readonly Projection[];
}

/** Trains the LoRA; returns it as a lora-io adapter with its validation accuracy and the steps taken. */
export async function trainTaskLora(opts: LoraTrainingOptions): Promise<{ adapter: LoraAdapter; accuracy: number; steps: number }> {
  const rank = opts.rank ?? 4;
  const alpha = opts.alpha ?? 8;
  const projections = opts.projections ?? ['q', 'v'];
  // PEFT's initialisation: A ~ U(-1/sqrt(in), 1/sqrt(in)) (kaiming-uniform, a = sqrt 5), B = 0, so dW starts at 0.
  const rng = createRng(deriveSeed(opts.init === 'per-task' ? `lora/init/${opts.task.id}` : 'lora/init', opts.seed));
  const modules = Array.from({ length: opts.config.layers }, (_, l) =>
    projections.map((p) => ({ path: projectionPath(l, p), shape: projectionShape(opts.config, p) })),
  ).flat();
  const factors = modules.map(({ path, shape: [dOut, dIn] }) => {
    const bound = 1 / Math.sqrt(dIn);
    const a = Float32Array.from({ length: rank * dIn }, () => (2 * rng.next() - 1) * bound);
    return {
      path,
      dIn,
      dOut,
      A: tf.variable(tf.tensor2d(a, [rank, dIn]), true, `lora/${path}/A`),
      B: tf.variable(tf.zeros([dOut, rank]) as tf.Tensor2D, true, `lora/${path}/B`),
    };
  });
  const sidePaths: LoraSidePaths = new Map(factors.map((f) => [f.path, { A: f.A, B: f.B, scaling: alpha / rank }]));
  const baseTensors = tensorsOf(opts.base);
  const validation = opts.task.examples('validation', opts.seed, 512);
  try {
    const batchSize = opts.batchSize ?? 64;
    const result = await trainLoop({
      variables: factors.flatMap((f) => [f.A, f.B]),
      logits: (inputs) => forward(inputs, baseTensors, opts.config, sidePaths),
      batch: (step) => opts.task.examples('train', deriveSeed(`lora/batch/${step}`, opts.seed), batchSize),
      steps: opts.steps ?? 150,
      learningRate: opts.learningRate ?? 1e-2,
      validation: {
        every: 50,
        target: opts.targetAccuracy ?? Number.POSITIVE_INFINITY,
        accuracy: () => accuracyOn(baseTensors, opts.config, validation, sidePaths),
      },
      onProgress: opts.onProgress,
    });
    const modules = await Promise.all(
      factors.map(async (f) => ({
        name: peftModuleName(f.path),
        rank,
        alpha,
        scaling: alpha / rank,
        dIn: f.dIn,
        dOut: f.dOut,
        A: (await f.A.data()) as Float32Array,
        B: (await f.B.data()) as Float32Array,
      })),
    );
    return { adapter: { config: libraryAdapterConfig(rank, alpha, projections), modules }, ...result };
  } finally {
    disposeTensors(baseTensors);
    for (const f of factors) {
      f.A.dispose();
      f.B.dispose();
    }
  }
}
