import * as tf from '@tensorflow/tfjs';
import type { LoraDecoder } from '@loragen/moe-decoder';
import type { SeededRng } from '@loragen/latent-diffusion';
import { ModuleEncoder } from './module-encoder';

/** Factors of one module type for a batch of adapters: A [batch, layers, r, dIn], B [batch, layers, dOut, r]. */
export interface FactorBatch {
  A: tf.Tensor4D;
  B: tf.Tensor4D;
}

/**
 * Stage 1 of LoRAGen: encoders per module type to a diagonal Gaussian per position, and a decoder (any
 * {@link LoraDecoder}) from the latents back to factors. Positions are layer-major, as the decoder expects.
 */
export class LoraAutoencoder {
  readonly encoders: ModuleEncoder[];

  constructor(
    readonly decoder: LoraDecoder,
    encoderHidden: number,
    rng: SeededRng,
  ) {
    this.encoders = decoder.modules.map((spec) => new ModuleEncoder(spec, encoderHidden, decoder.latentDim, rng));
  }

  get latentDim(): number {
    return this.decoder.latentDim;
  }

  get positions(): number {
    return this.decoder.layers * this.decoder.modules.length;
  }

  /** The encoders' variables as `<type index>/<name>`. */
  get encoderVariables(): Record<string, tf.Variable> {
    const out: Record<string, tf.Variable> = {};
    this.encoders.forEach((e, i) => {
      for (const [k, v] of Object.entries(e.variables)) out[`${i}/${k}`] = v;
    });
    return out;
  }

  /** Every trainable variable, encoders first then the decoder's (a fixed order, as tfjs optimisers need). */
  get variables(): tf.Variable[] {
    return [...Object.values(this.encoderVariables), ...Object.values(this.decoder.variables)];
  }

  /** Per module type factors -> posterior mean and log-variance, each [batch, positions, latent]. */
  encode(factors: FactorBatch[]): { mean: tf.Tensor3D; logVar: tf.Tensor3D } {
    return tf.tidy(() => {
      const parts = this.encoders.map((e, t) => e.encode(factors[t].A, factors[t].B));
      // stack on axis 2 then flatten (layers, types): position = layer * types + type.
      const interleave = (xs: tf.Tensor3D[]) => {
        const [batch, layers, d] = xs[0].shape;
        return tf.reshape(tf.stack(xs, 2), [batch, layers * xs.length, d]) as tf.Tensor3D;
      };
      return { mean: interleave(parts.map((p) => p.mean)), logVar: interleave(parts.map((p) => p.logVar)) };
    });
  }

  dispose(): void {
    for (const e of this.encoders) for (const v of Object.values(e.variables)) v.dispose();
    this.decoder.dispose();
  }
}
