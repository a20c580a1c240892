import * as tf from '@tensorflow/tfjs';
import type { SeededRng } from '@loragen/latent-diffusion';

// tf.variable keeps its initial tensor alive; tidy frees it (variables survive tidy).

/** A [fanIn, fanOut] kernel drawn from Glorot's uniform distribution. */
export function glorot(rng: SeededRng, fanIn: number, fanOut: number): tf.Variable {
  return tf.tidy(() => tf.variable(tf.tensor2d(rng.uniforms(fanIn * fanOut, Math.sqrt(6 / (fanIn + fanOut))), [fanIn, fanOut])));
}

/** A bias of zeros. */
export function zeros(size: number): tf.Variable {
  return tf.tidy(() => tf.variable(tf.zeros([size])));
}
