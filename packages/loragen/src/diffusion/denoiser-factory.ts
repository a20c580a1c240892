import * as tf from '@tensorflow/tfjs';
import { DiT, type Denoiser } from '@loragen/latent-diffusion';
import type { LoraGenConfig } from '../config/schema';

/**
 * What stage 2 trains: a v-predicting denoiser over latents [batch, positions, latentDim] conditioned on
 * [batch, condDim]. `cond = null` asks for the unconditional model and `keep` ([batch], 1 = use the condition,
 * 0 = the learned null condition) drops conditions per sample, both for classifier-free guidance.
 * latent-diffusion's `DiT` is one; implement it to bring your own.
 */
export interface TrainableDenoiser {
  readonly variables: Record<string, tf.Variable>;
  predict(xt: tf.Tensor, t: tf.Tensor, cond: tf.Tensor | null, keep?: tf.Tensor | null): tf.Tensor;
  dispose(): void;
}

/** What a custom denoiser factory is given. */
export interface DenoiserShape {
  positions: number;
  latentDim: number;
  condDim: number;
}

/** A researcher's denoiser: an instance, or a factory called once the latent shape is known. */
export type DenoiserChoice = TrainableDenoiser | ((shape: DenoiserShape) => TrainableDenoiser);

/** The user's denoiser, or latent-diffusion's DiT sized by `config.diffusion` (one token per position). */
export function buildDenoiser(shape: DenoiserShape, cfg: LoraGenConfig, custom?: DenoiserChoice): TrainableDenoiser {
  if (custom) return typeof custom === 'function' ? custom(shape) : custom;
  const d = cfg.diffusion;
  return new DiT({
    tokens: shape.positions,
    channels: shape.latentDim,
    condDim: shape.condDim,
    width: d.width,
    depth: d.depth,
    heads: d.heads,
    seed: cfg.seed,
  });
}

/**
 * The denoiser as `sample` takes it: with its prepared sampling plan where it has one (latent-diffusion's DiT:
 * timestep and condition work once per run, both guidance branches in one pass, fused kernels on webgpu), else a
 * function that calls `predict` at every step.
 */
export function samplingDenoiser(denoiser: TrainableDenoiser): Denoiser {
  const planned = denoiser as TrainableDenoiser & { asDenoiser?: () => Denoiser };
  return typeof planned.asDenoiser === 'function' ? planned.asDenoiser() : (xt, t, c) => denoiser.predict(xt, t, c);
}
