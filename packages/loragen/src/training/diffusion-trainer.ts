import * as tf from '@tensorflow/tfjs';
import { addNoise, velocityFrom } from '@loragen/latent-diffusion';
import type { LoraGenConfig } from '../config/schema';
import type { GuidedDenoiser } from '../diffusion/conditional-denoiser';
import type { Prng } from '../rng/prng';
import { drawBatch, gatherRows } from './batches';
import type { ParameterEma } from './ema';

/** The stage-2 training set: normalised latents [N, P, D] and task conditions [N, C]. */
export interface LatentSet {
  latents: Float32Array;
  conditions: Float32Array;
  count: number;
  positions: number;
  latentDim: number;
  condDim: number;
}

/**
 * Stage 2: v-prediction with the reference's snr / (snr + 1) weighting (which equals abar_t), condition dropout
 * for classifier-free guidance, and an EMA of the weights after every step. Every draw comes from `rng`.
 */
export class DiffusionTrainer {
  readonly optimizer: tf.AdamOptimizer;

  constructor(
    private readonly denoiser: GuidedDenoiser,
    private readonly data: LatentSet,
    private readonly alphasCumprod: Float32Array,
    private readonly cfg: LoraGenConfig['diffusion'],
    private readonly rng: Prng,
    private readonly ema: ParameterEma,
  ) {
    this.optimizer = tf.train.adam(cfg.learningRate, cfg.beta1, cfg.beta2);
  }

  async trainStep(): Promise<number> {
    const d = this.data;
    const idx = drawBatch(this.rng, d.count, this.cfg.batchSize);
    const b = idx.length;
    const ts = idx.map(() => this.rng.int(this.cfg.timesteps));
    const noise = this.rng.normals(b * d.positions * d.latentDim);
    const drops = Float32Array.from(idx, () => (this.rng.uniform() < this.cfg.condDropout ? 1 : 0));
    const abar = Float32Array.from(ts, (t) => this.alphasCumprod[t]);
    const cost = tf.tidy(() => {
      const x0 = tf.tensor3d(gatherRows(d.latents, d.positions * d.latentDim, idx), [b, d.positions, d.latentDim]);
      const cond = tf.tensor2d(gatherRows(d.conditions, d.condDim, idx), [b, d.condDim]);
      const eps = tf.tensor3d(noise, x0.shape);
      const ab = tf.tensor3d(abar, [b, 1, 1]);
      const a = tf.sqrt(ab);
      const s = tf.sqrt(tf.sub(1, ab));
      const xt = addNoise(x0, eps, a, s) as tf.Tensor3D;
      const v = velocityFrom(x0, eps, a, s);
      const t = tf.tensor1d(ts, 'int32');
      const mask = tf.tensor1d(drops);
      return this.optimizer.minimize(
        () => {
          const err = tf.mean(tf.square(tf.sub(this.denoiser.predict(xt, t, cond, mask), v)), [1, 2]);
          return tf.mean(tf.mul(err, tf.reshape(ab, [b]))) as tf.Scalar;
        },
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
