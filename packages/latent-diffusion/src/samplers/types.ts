import type * as tf from '@tensorflow/tfjs-core';
import type { Prediction } from '../objectives/conversions';

/**
 * A denoising model: given x_t, the integer timesteps `t` (int32, shape [batch]) and a condition (or `null` for
 * the unconditional model), returns its prediction with x_t's shape: v by default, or epsilon. With the optional
 * `prepare`, `sample` hands it the whole run up front (see `SamplingPlan`) and evaluates the `PreparedDenoiser`.
 */
export type Denoiser = ((xt: tf.Tensor, t: tf.Tensor, cond: tf.Tensor | null) => tf.Tensor) & {
  prepare?: (plan: SamplingPlan) => PreparedDenoiser;
};

/** What stays fixed over one sampling run. */
export interface SamplingPlan {
  /** The timesteps of the run's steps, in order. */
  timesteps: number[];
  /** Samples per condition. */
  batch: number;
  /** One condition per branch (`null`: unconditional); guidance has [cond, null]. */
  conditions: (tf.Tensor | null)[];
}

/** A denoiser specialised to one `SamplingPlan`. */
export interface PreparedDenoiser {
  /**
   * The prediction at the plan's `step`-th timestep for xt [conditions.length * batch, ...]: one batch per
   * condition, stacked in the plan's order.
   */
  predict(xt: tf.Tensor, step: number): tf.Tensor;
  /**
   * Optional, for a plan with the conditions [cond, null]: the guided prediction uncond + scale (cond - uncond) for
   * xt [batch, ...] (one batch, used for both branches). `sample` calls it when present, instead of `predict` on
   * the batch repeated and mixing the halves itself; a denoiser can then do both branches and the mix in fewer kernels.
   */
  predictGuided?(xt: tf.Tensor, step: number, guidanceScale: number): tf.Tensor;
  /**
   * Optional: runs every step of the plan at once, predictions and updates (see `SamplingLoop`), and returns the last
   * step's x, [batch, ...], or null where it cannot run this loop (then `sample` steps as usual). A denoiser offers it
   * where one call beats a call a step: the DiT on webgpu records the whole run into one command buffer.
   */
  sampleLoop?(loop: SamplingLoop): tf.Tensor | null;
  /** Frees what `prepare` computed. */
  dispose(): void;
}

/**
 * One sampler move as a linear map: x_next = xt x_t + x0 x0_t + prevX0 x0_prev + noise z, where x0_t is this step's
 * clean-data estimate, x0_prev the previous step's (multistep solvers) and z standard-normal noise.
 */
export interface SolverCoefficients {
  xt: number;
  x0: number;
  prevX0: number;
  noise: number;
}

/** A whole sampling run as numbers, for `PreparedDenoiser.sampleLoop`. */
export interface SamplingLoop {
  /** x at the first step, [batch, ...]. */
  start: tf.Tensor;
  /** Per step of the plan: x0_t = clip(x0FromXt x_t + x0FromOutput output), then the move to the next x. */
  steps: { x0FromXt: number; x0FromOutput: number; update: SolverCoefficients }[];
  /** The guidance scale, with a plan of [cond, null]. */
  guidanceScale: number;
  /** Bound of |x0_t|, or undefined. */
  clipX0?: number;
  /** Draws the next z, a standard-normal Float32Array of x's size: once per step whose `update.noise` is not 0, in order. */
  noise(): Float32Array;
}

/** What a sampler needs of a schedule; `createSchedule` returns more. */
export interface ScheduleLike {
  readonly timesteps: number;
  readonly alphasCumprod: Float32Array;
  /** Used in place of `alphasCumprod` when present, for float64 coefficients. */
  readonly alphasCumprod64?: Float64Array;
}

export type SamplerKind = 'ddpm' | 'ddim' | 'dpmpp-2m';

/** How the sampled timesteps are spread over 0..T-1: evenly in t, or evenly in log-SNR. */
export type TimestepSpacing = 'uniform' | 'log-snr';

/** Reported after every denoiser evaluation. */
export interface SampleProgress {
  /** 1-based count of finished steps. */
  step: number;
  totalSteps: number;
  /** The timestep just evaluated. */
  t: number;
}

/** Maps normalised latents back to data space (see `LatentNormalizer`). */
export interface Denormalizer {
  denormalize(x: tf.Tensor): tf.Tensor;
}

export interface SampleOptions {
  denoiser: Denoiser;
  /** Output shape, batch first, e.g. [batch, tokens, channels]. */
  shape: number[];
  schedule: ScheduleLike;
  sampler: SamplerKind;
  /** Denoiser evaluations (per guidance branch). @default timesteps (ddpm), 50 (ddim), 20 (dpmpp-2m) */
  steps?: number;
  /** Condition, batch first ([batch, D] or [batch, M, D]); `null` samples the unconditional model. @default null */
  cond?: tf.Tensor | null;
  /** Classifier-free guidance: uncond + scale (cond - uncond); 1 disables it (one evaluation a step). @default 1 */
  guidanceScale?: number;
  /** Seed of the noise; the same seed gives the same noise on every backend. @default a random seed */
  seed?: number;
  /** What the denoiser predicts. @default 'v' */
  prediction?: Prediction;
  /** DDIM's eta: 0 deterministic, 1 as stochastic as DDPM. @default 0 */
  eta?: number;
  /** Clip every x0 estimate to [-clipX0, clipX0] (the reference clips to 1). @default no clipping */
  clipX0?: number;
  /** Timestep spacing. @default 'log-snr' (ddim, dpmpp-2m), 'uniform' (ddpm) */
  spacing?: TimestepSpacing;
  /** Applied to the result (the inverse of the training-time latent normalisation). @default none */
  normalizer?: Denormalizer;
  /** Called after each step. */
  onProgress?: (progress: SampleProgress) => void;
  /** Aborting it makes `sample` reject with a `SamplingAbortedError` (name 'AbortError'). */
  signal?: AbortSignal;
}
