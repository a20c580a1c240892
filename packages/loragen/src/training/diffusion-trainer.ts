import * as tf from '@tensorflow/tfjs';
import { denoisingLoss, type ExponentialMovingAverage, type ScheduleLike, type SeededRng } from '@loragen/latent-diffusion';
import type { LoraGenConfig } from '../config/schema';
import type { TrainableDenoiser } from '../diffusion/denoiser-factory';
import { drawSplitBatch, drawWithReplacement, gatherRows } from './batches';
import { drawConditionRows } from './condition-draws';
import { scheduledLearningRate, setLearningRate } from './learning-rate';

/** The stage-2 training set: normalised latents [N, P, D] and task conditions [N, C]. */
export interface LatentSet {
  latents: Float32Array;
  /** Each task's mean description embedding, [N, C]. */
  conditions: Float32Array;
  /** The rows single-description conditions are drawn from: each task's descriptions (then their variants), task by task. */
  descriptionConditions: Float32Array;
  /** Index of each task's first row in `descriptionConditions`, then the total: N + 1 entries. */
  descriptionOffsets: number[];
  /** Rows: the library's tasks, then any combinations (config `combinations`). */
  count: number;
  /** Rows that are library tasks; the rest are combinations, drawn for `1 - libraryShare` of each batch. */
  library: number;
  libraryShare: number;
  positions: number;
  latentDim: number;
  condDim: number;
}

/**
 * Stage 2: latent-diffusion's denoising loss on v, weighted as `cfg.lossWeighting` says (the reference's
 * snr / (snr + 1) = abar_t by default), condition dropout for classifier-free guidance, and an EMA of the weights
 * after every step. Every draw comes from `rng`, in the order of the first release (batch, timesteps, noise,
 * dropout, conditions), so that runs and checkpoints continue bit for bit.
 */
export class DiffusionTrainer {
  readonly optimizer: tf.AdamOptimizer;

  constructor(
    private readonly denoiser: TrainableDenoiser,
    private readonly data: LatentSet,
    private readonly schedule: ScheduleLike,
    private readonly cfg: LoraGenConfig['diffusion'],
    private readonly rng: SeededRng,
    private readonly ema: ExponentialMovingAverage,
  ) {
    this.optimizer = tf.train.adam(cfg.learningRate, cfg.beta1, cfg.beta2);
  }

  /** Runs step `step` (0-based) and returns its loss. */
  async trainStep(step: number): Promise<number> {
    setLearningRate(this.optimizer, scheduledLearningRate(this.cfg.learningRate, step, this.cfg.steps, this.cfg.learningRateSchedule));
    const d = this.data;
    const idx = drawSplitBatch(
      this.rng,
      { library: d.library, extra: d.count - d.library, libraryShare: d.libraryShare },
      this.cfg.batchSize,
      drawWithReplacement,
    );
    const b = idx.length;
    const ts = idx.map(() => this.rng.int(this.cfg.timesteps));
    const noise = this.rng.normals(b * d.positions * d.latentDim);
    const keep = Float32Array.from(idx, () => (this.rng.uniform() < this.cfg.condDropout ? 0 : 1));
    const conditions = drawConditionRows(this.data, idx, this.cfg, this.rng);
    const cost = tf.tidy(() => {
      const x0 = tf.tensor3d(gatherRows(d.latents, d.positions * d.latentDim, idx), [b, d.positions, d.latentDim]);
      const cond = tf.tensor2d(conditions, [b, d.condDim]);
      const { lossWeighting: weighting, minSnrGamma } = this.cfg;
      return this.optimizer.minimize(
        () => denoisingLoss({ model: this.denoiser, x0, cond, schedule: this.schedule, t: ts, noise, keep, prediction: 'v', weighting, minSnrGamma }),
        true,
        Object.values(this.denoiser.variables),
      )!;
    });
    this.ema.update();
    const loss = (await cost.data())[0];
    cost.dispose();
    return loss;
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}
