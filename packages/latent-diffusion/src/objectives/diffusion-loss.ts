// The denoising training objective: noise x0 to a timestep, predict v (or epsilon), weighted MSE.
// `denoisingLoss` takes the timesteps, noise and condition dropout it is given; `diffusionLoss` draws them in JS from
// a seeded generator, so a training run is reproducible on every backend and no tensor lookup (tf.gather, whose
// gradient wasm lacks) is needed.
import * as tf from '@tensorflow/tfjs-core';
import type { ConditionalDenoiser } from '../denoiser/dit';
import { LatentDiffusionError } from '../errors';
import type { SeededRng } from '../random/seeded-rng';
import type { ScheduleLike } from '../samplers/types';
import { addNoise, velocityFrom, type Prediction } from './conversions';
import { lossWeight, type LossWeighting } from './loss-weighting';

/** What the loss is taken on, and how it is weighted. */
export interface DenoisingTarget {
  model: ConditionalDenoiser;
  /** Clean (normalised) latents, batch first. */
  x0: tf.Tensor;
  /** Conditions, batch first; `null` trains the unconditional model. @default null */
  cond?: tf.Tensor | null;
  schedule: ScheduleLike;
  /** Target the model learns. @default 'v' */
  prediction?: Prediction;
  /** Per-timestep weighting. @default 'uniform' */
  weighting?: LossWeighting;
  /** gamma of `min-snr`. @default 5 */
  minSnrGamma?: number;
}

export interface DenoisingLossOptions extends DenoisingTarget {
  /** Each sample's timestep in 0..T-1, [batch]. */
  t: ArrayLike<number>;
  /** The noise eps, x0's size, row-major. */
  noise: Float32Array;
  /** Per sample 1 to use its condition, 0 for the learned null condition (guidance dropout); `null` passes none. @default null */
  keep?: ArrayLike<number> | null;
}

/**
 * Mean over the batch of w_t * mean((prediction - target)^2), with x_t = sqrt(abar_t) x0 + sqrt(1 - abar_t) eps
 * and the target v = sqrt(abar_t) eps - sqrt(1 - abar_t) x0 (or eps); a scalar tensor for `optimizer.minimize`.
 * The coefficients are float32 tensor arithmetic on `schedule.alphasCumprod` (the same on every backend);
 * `'snr-ratio'` weighs by abar_t itself (snr / (snr + 1) = abar_t), `'min-snr'` by {@link lossWeight}.
 * @throws LatentDiffusionError for timesteps outside the schedule or sizes that do not match x0.
 */
export function denoisingLoss(options: DenoisingLossOptions): tf.Scalar {
  const { model, x0, schedule, t, noise } = options;
  const prediction = options.prediction ?? 'v';
  const weighting = options.weighting ?? 'uniform';
  const batch = x0.shape[0];
  if (t.length !== batch || !Array.from(t).every((ti) => Number.isInteger(ti) && ti >= 0 && ti < schedule.timesteps)) {
    throw new LatentDiffusionError(`denoisingLoss: t must hold ${batch} integer timesteps in [0, ${schedule.timesteps}), got [${Array.from(t)}]`);
  }
  if (noise.length !== x0.size) {
    throw new LatentDiffusionError(`denoisingLoss: noise has ${noise.length} values, x0 has ${x0.size}; draw one per entry of x0`);
  }
  if (options.keep && options.keep.length !== batch) {
    throw new LatentDiffusionError(`denoisingLoss: keep has ${options.keep.length} entries, the batch is ${batch}`);
  }
  const abar = Float32Array.from(t, (ti) => schedule.alphasCumprod[ti]);
  const weights =
    weighting === 'min-snr' ? Float32Array.from(abar, (a) => lossWeight(a / (1 - a), weighting, prediction, options.minSnrGamma)) : null;
  if (weighting !== 'uniform' && weighting !== 'snr-ratio') lossWeight(1, weighting, prediction); // rejects unknown names
  return tf.tidy(() => {
    const coefShape = [batch, ...x0.shape.slice(1).map(() => 1)];
    const ab = tf.tensor(abar, coefShape);
    const a = tf.sqrt(ab);
    const s = tf.sqrt(tf.sub(1, ab));
    const eps = tf.tensor(noise, x0.shape);
    const xt = addNoise(x0, eps, a, s);
    const target = prediction === 'v' ? velocityFrom(x0, eps, a, s) : eps;
    const keep = options.keep ? tf.tensor1d(Float32Array.from(options.keep)) : null;
    const out = model.predict(xt, tf.tensor1d(Int32Array.from(t), 'int32'), options.cond ?? null, keep);
    const axes = x0.shape.slice(1).map((_, i) => i + 1);
    const perSample = tf.mean(tf.square(tf.sub(out, target)), axes);
    if (weighting === 'uniform') return tf.mean(perSample) as tf.Scalar;
    const w = weights ? tf.tensor1d(weights) : tf.reshape(ab, [batch]);
    return tf.mean(tf.mul(perSample, w)) as tf.Scalar;
  });
}

export interface DiffusionLossOptions extends DenoisingTarget {
  /** Draws timesteps, then condition dropout, then noise. */
  rng: SeededRng;
  /** Probability of replacing a condition by the learned null embedding (for guidance). @default 0 */
  condDropout?: number;
}

/** {@link denoisingLoss} with timesteps, dropout and noise drawn from `rng`. */
export function diffusionLoss(options: DiffusionLossOptions): tf.Scalar {
  const { x0, schedule, rng } = options;
  const dropout = options.condDropout ?? 0;
  if (!(dropout >= 0 && dropout <= 1)) {
    throw new LatentDiffusionError(`diffusionLoss: condDropout must lie in [0, 1], got ${dropout}`);
  }
  const batch = x0.shape[0];
  const t = Int32Array.from({ length: batch }, () => rng.int(schedule.timesteps));
  const keep = Float32Array.from({ length: batch }, () => (rng.uniform() < dropout ? 0 : 1));
  const noise = rng.normals(x0.size);
  return denoisingLoss({ ...options, t, noise, keep: options.cond && dropout > 0 ? keep : null });
}
