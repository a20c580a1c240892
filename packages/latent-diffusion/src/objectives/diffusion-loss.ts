// The denoising training objective: noise x0 to a random timestep, predict v (or epsilon), weighted MSE.
// Timesteps, noise and condition dropout are drawn in JS from a seeded generator, so a training run is
// reproducible on every backend and no tensor lookup (tf.gather, whose gradient wasm lacks) is needed.
import * as tf from '@tensorflow/tfjs-core';
import type { ConditionalDenoiser } from '../denoiser/dit';
import { LatentDiffusionError } from '../errors';
import type { SeededRng } from '../random/seeded-rng';
import type { ScheduleLike } from '../samplers/types';
import { addNoise, velocityFrom, type Prediction } from './conversions';
import { lossWeight, type LossWeighting } from './loss-weighting';

export interface DiffusionLossOptions {
  model: ConditionalDenoiser;
  /** Clean (normalised) latents, batch first. */
  x0: tf.Tensor;
  /** Conditions, batch first; `null` trains the unconditional model. @default null */
  cond?: tf.Tensor | null;
  schedule: ScheduleLike;
  /** Draws timesteps, noise and dropout. */
  rng: SeededRng;
  /** Target the model learns. @default 'v' */
  prediction?: Prediction;
  /** Per-timestep weighting. @default 'uniform' */
  weighting?: LossWeighting;
  /** gamma of `min-snr`. @default 5 */
  minSnrGamma?: number;
  /** Probability of replacing a condition by the learned null embedding (for guidance). @default 0 */
  condDropout?: number;
}

/** Mean over the batch of weight_t * mean((target - prediction)^2); a scalar tensor for `optimizer.minimize`. */
export function diffusionLoss(options: DiffusionLossOptions): tf.Scalar {
  const { model, x0, schedule, rng } = options;
  const prediction = options.prediction ?? 'v';
  const dropout = options.condDropout ?? 0;
  if (!(dropout >= 0 && dropout <= 1)) {
    throw new LatentDiffusionError(`diffusionLoss: condDropout must lie in [0, 1], got ${dropout}`);
  }
  const batch = x0.shape[0];
  const abarAll = schedule.alphasCumprod64 ?? schedule.alphasCumprod;
  const t = Int32Array.from({ length: batch }, () => Math.floor(rng.uniform() * schedule.timesteps));
  const abar = Array.from(t, (ti) => abarAll[ti]);
  const weights = abar.map((a) => lossWeight(a / (1 - a), options.weighting ?? 'uniform', prediction, options.minSnrGamma));
  const keep = Float32Array.from({ length: batch }, () => (rng.uniform() < dropout ? 0 : 1));
  const noise = rng.normals(x0.size);
  return tf.tidy(() => {
    const coefShape = [batch, ...x0.shape.slice(1).map(() => 1)];
    const a = tf.tensor(abar.map(Math.sqrt), coefShape);
    const s = tf.tensor(abar.map((v) => Math.sqrt(1 - v)), coefShape);
    const eps = tf.tensor(noise, x0.shape);
    const xt = addNoise(x0, eps, a, s);
    const target = prediction === 'v' ? velocityFrom(x0, eps, a, s) : eps;
    const cond = options.cond ?? null;
    const out = model.predict(xt, tf.tensor1d(t, 'int32'), cond, cond && dropout > 0 ? tf.tensor1d(keep) : null);
    const perSample = tf.mean(tf.reshape(tf.squaredDifference(out, target), [batch, -1]), 1);
    return tf.mean(tf.mul(perSample, tf.tensor1d(weights))) as tf.Scalar;
  });
}
