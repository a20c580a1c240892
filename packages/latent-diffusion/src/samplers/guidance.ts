// Classifier-free guidance (Ho & Salimans 2022): uncond + scale (cond - uncond), in the prediction's own space.
import * as tf from '@tensorflow/tfjs-core';
import type { Denoiser } from './types';

export function guidedPrediction(
  denoiser: Denoiser,
  xt: tf.Tensor,
  t: tf.Tensor,
  cond: tf.Tensor | null,
  guidanceScale: number,
): tf.Tensor {
  return tf.tidy(() => {
    if (cond === null || guidanceScale === 1) return denoiser(xt, t, cond);
    const conditional = denoiser(xt, t, cond);
    const unconditional = denoiser(xt, t, null);
    return tf.add(unconditional, tf.mul(tf.sub(conditional, unconditional), guidanceScale));
  });
}
