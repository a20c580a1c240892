// Description embeddings centred on the library: the demo's descriptions share most of their words, so raw
// hashed embeddings of different tasks have cosine ~0.9 and the diffusion model's condition barely varies.
// Subtracting the library's mean embedding and rescaling keeps only what tells the tasks apart.
import * as tf from '@tensorflow/tfjs';
import type { TaskTextEncoder } from '@loragen/core';

/** Wraps a text encoder: embed(x) = sqrt(dim) * (inner(x) - mean) / |inner(x) - mean| (unit RMS per entry). */
export class CenteredTextEncoder implements TaskTextEncoder {
  readonly dim: number;

  private constructor(
    private readonly inner: TaskTextEncoder,
    private readonly mean: Float32Array,
  ) {
    this.dim = inner.dim;
  }

  /** Fits the mean on `descriptions` (all descriptions of the training library). */
  static async fit(inner: TaskTextEncoder, descriptions: readonly string[]): Promise<CenteredTextEncoder> {
    if (descriptions.length === 0) throw new RangeError('CenteredTextEncoder.fit needs at least one description');
    const all = await inner.embed([...descriptions]);
    const mean = tf.mean(all, 0);
    const values = (await mean.data()) as Float32Array;
    tf.dispose([all, mean]);
    return new CenteredTextEncoder(inner, values);
  }

  async embed(texts: string[]): Promise<tf.Tensor2D> {
    const raw = await this.inner.embed(texts);
    const out = tf.tidy(() => {
      const centred = tf.sub(raw, tf.tensor1d(this.mean));
      const norm = tf.maximum(tf.norm(centred, 2, 1, true), 1e-12);
      return tf.mul(tf.div(centred, norm), Math.sqrt(this.dim)) as tf.Tensor2D;
    });
    raw.dispose();
    return out;
  }
}
