import * as tf from '@tensorflow/tfjs';
import type { Denoiser } from '@loragen/latent-diffusion';

/** What stage 2 trains: a v-predicting denoiser over [batch, positions, latent] conditioned on [batch, D]. */
export interface TrainableDenoiser {
  readonly variables: Record<string, tf.Variable>;
  predict(xt: tf.Tensor3D, t: tf.Tensor1D, cond: tf.Tensor2D): tf.Tensor3D;
  dispose(): void;
}

/**
 * A trainable denoiser plus the learned null condition of classifier-free guidance: training swaps a sample's
 * condition for `nullCond` with some probability, and sampling with `cond = null` uses it for every row.
 */
export class GuidedDenoiser {
  readonly nullCond: tf.Variable;

  constructor(
    readonly model: TrainableDenoiser,
    condDim: number,
  ) {
    this.nullCond = tf.variable(tf.zeros([condDim]));
  }

  /** Everything trainable, the null condition first. */
  get variables(): Record<string, tf.Variable> {
    const out: Record<string, tf.Variable> = { 'null_cond': this.nullCond };
    for (const [k, v] of Object.entries(this.model.variables)) out[`model/${k}`] = v;
    return out;
  }

  /** cond [b, D]; rows where `dropMask` [b] is 1 take the null condition instead. */
  predict(xt: tf.Tensor3D, t: tf.Tensor1D, cond: tf.Tensor2D | null, dropMask?: tf.Tensor1D): tf.Tensor3D {
    return tf.tidy(() => {
      const batch = xt.shape[0];
      const nulls = tf.tile(tf.reshape(this.nullCond, [1, -1]), [batch, 1]) as tf.Tensor2D;
      let c = cond ?? nulls;
      if (cond && dropMask) {
        const m = tf.reshape(dropMask, [batch, 1]);
        c = tf.add(tf.mul(cond, tf.sub(1, m)), tf.mul(nulls, m)) as tf.Tensor2D;
      }
      return this.model.predict(xt, t, c);
    });
  }

  /** The latent-diffusion sampler's view of it. */
  asDenoiser(): Denoiser {
    return (xt, t, cond) => this.predict(xt as tf.Tensor3D, t as tf.Tensor1D, cond as tf.Tensor2D | null);
  }

  dispose(): void {
    this.nullCond.dispose();
    this.model.dispose();
  }
}
