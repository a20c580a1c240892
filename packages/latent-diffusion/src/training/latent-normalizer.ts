// Latents are scaled (and optionally shifted) to unit range before diffusion; the inverse must be applied after
// sampling (the reference forgets to).
import * as tf from '@tensorflow/tfjs-core';
import { LatentDiffusionError } from '../errors';

export interface LatentNormalizerState {
  shift: number;
  scale: number;
}

/** z_norm = (z - shift) / scale; `denormalize` is its exact inverse. */
export class LatentNormalizer {
  readonly shift: number;
  readonly scale: number;

  constructor({ shift, scale }: LatentNormalizerState) {
    if (!(scale > 0) || !Number.isFinite(scale) || !Number.isFinite(shift)) {
      throw new LatentDiffusionError(
        `LatentNormalizer: need a finite scale > 0 and a finite shift, got ${scale}, ${shift}`,
        'pass the state saved by toJSON of a fitted normalizer',
      );
    }
    this.shift = shift;
    this.scale = scale;
  }

  /**
   * Fits to training latents. `max-abs` (the reference): shift 0, scale max |z|, so values lie in [-1, 1].
   * `standardize`: shift mean(z), scale std(z).
   * @param method @default 'max-abs'
   */
  static async fit(latents: tf.Tensor, method: 'max-abs' | 'standardize' = 'max-abs'): Promise<LatentNormalizer> {
    const stats = tf.tidy(() =>
      method === 'max-abs'
        ? tf.stack([tf.scalar(0), tf.max(tf.abs(latents))])
        : (({ mean, variance }) => tf.stack([mean, tf.sqrt(variance)]))(tf.moments(latents)),
    );
    const [shift, scale] = await stats.data();
    stats.dispose();
    // NaN compares false with everything: test for it first, so it is not reported as zero spread.
    if (!Number.isFinite(scale) || !Number.isFinite(shift)) {
      throw new LatentDiffusionError(
        `LatentNormalizer.fit: the latents hold non-finite values (${method} gives shift ${shift}, scale ${scale})`,
        'find where NaN or Inf entered: the training data, or a diverged encoder (lower its learning rate)',
      );
    }
    if (!(scale > 0)) {
      throw new LatentDiffusionError(
        'LatentNormalizer.fit: latents are constant (zero spread); nothing to scale by',
        'the encoder maps every input to one point: check that the training data differ, or train the encoder longer',
      );
    }
    return new LatentNormalizer({ shift, scale });
  }

  normalize(z: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.div(tf.sub(z, this.shift), this.scale));
  }

  denormalize(z: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.add(tf.mul(z, this.scale), this.shift));
  }

  /** Plain numbers to save beside a checkpoint. */
  toJSON(): LatentNormalizerState {
    return { shift: this.shift, scale: this.scale };
  }
}
