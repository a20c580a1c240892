import * as tf from '@tensorflow/tfjs';
import type { LoraGenConfig } from '../config/schema';
import type { FactorSet } from '../data/factor-set';
import type { FactorBatch, LoraAutoencoder } from '../autoencoder/lora-autoencoder';
import { autoencoderLoss } from '../autoencoder/objective';
import type { ExponentialMovingAverage, SeededRng } from '@loragen/latent-diffusion';
import { drawBatch, drawSplitBatch, gatherRows } from './batches';
import { scheduledLearningRate, setLearningRate } from './learning-rate';

/** Builds the factor tensors of the adapters `indices` (per module type). */
export function factorBatch(data: Pick<FactorSet, 'layout' | 'factors'>, indices: number[]): FactorBatch[] {
  const L = data.layout.layers;
  return data.layout.moduleTypes.map((spec, t) => ({
    A: tf.tensor4d(gatherRows(data.factors[t].A, L * spec.rank * spec.dIn, indices), [indices.length, L, spec.rank, spec.dIn]),
    B: tf.tensor4d(gatherRows(data.factors[t].B, L * spec.dOut * spec.rank, indices), [indices.length, L, spec.dOut, spec.rank]),
  }));
}

/** Stage 1: one Adam step at a time on the LoRA autoencoder, every random draw from `rng`. */
export class AutoencoderTrainer {
  readonly optimizer: tf.AdamOptimizer;

  constructor(
    private readonly lae: LoraAutoencoder,
    private readonly data: FactorSet,
    private readonly cfg: LoraGenConfig['autoencoder'],
    private readonly rng: SeededRng,
    /** Share of each batch drawn from the library's tasks when `data` holds combinations (config `combinations`). */
    private readonly libraryShare = 0.5,
    /** Averages the weights after every step when given (config `autoencoder.emaDecay`). */
    private readonly ema?: ExponentialMovingAverage,
  ) {
    this.optimizer = tf.train.adam(cfg.learningRate, cfg.beta1, cfg.beta2);
  }

  /** Runs step `step` (0-based) and returns its loss. */
  async trainStep(step: number): Promise<number> {
    setLearningRate(this.optimizer, scheduledLearningRate(this.cfg.learningRate, step, this.cfg.steps, this.cfg.learningRateSchedule));
    const split = { library: this.data.taskNames.length, extra: this.data.combinations?.length ?? 0, libraryShare: this.libraryShare };
    const indices = drawSplitBatch(this.rng, split, this.cfg.batchSize, drawBatch);
    const noise = this.rng.normals(indices.length * this.lae.positions * this.lae.latentDim);
    const targets = factorBatch(this.data, indices);
    const names = this.lae.decoder.modules.map((m) => m.name);
    const vars = this.lae.variables;
    const cost = this.optimizer.minimize(
      () => {
        const posterior = this.lae.encode(targets);
        const eps = tf.tensor3d(noise, posterior.mean.shape);
        const z = tf.add(posterior.mean, tf.mul(tf.exp(tf.mul(posterior.logVar, 0.5)), eps)) as tf.Tensor3D;
        const decoded = this.lae.decoder.decode(z, { training: true, step });
        return autoencoderLoss(this.cfg, step, decoded, targets, names, posterior).total;
      },
      true,
      vars,
    )!;
    tf.dispose(targets.flatMap((t) => [t.A, t.B]));
    this.ema?.update();
    const loss = (await cost.data())[0];
    cost.dispose();
    return loss;
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}
