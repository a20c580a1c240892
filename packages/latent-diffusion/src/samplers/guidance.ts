// Classifier-free guidance (Ho & Salimans 2022): uncond + scale (cond - uncond), in the prediction's own space.
import * as tf from '@tensorflow/tfjs-core';
import type { Denoiser, PreparedDenoiser } from './types';

function mix(conditional: tf.Tensor, unconditional: tf.Tensor, guidanceScale: number): tf.Tensor {
  return tf.add(unconditional, tf.mul(tf.sub(conditional, unconditional), guidanceScale));
}

export function guidedPrediction(denoiser: Denoiser, xt: tf.Tensor, t: tf.Tensor, cond: tf.Tensor | null, guidanceScale: number): tf.Tensor {
  return tf.tidy(() => {
    if (cond === null || guidanceScale === 1) return denoiser(xt, t, cond);
    return mix(denoiser(xt, t, cond), denoiser(xt, t, null), guidanceScale);
  });
}

/** The same with a prepared denoiser whose plan has [cond, null] when `guided`: both branches in one pass. */
export function preparedGuidedPrediction(denoiser: PreparedDenoiser, xt: tf.Tensor, step: number, guided: boolean, guidanceScale: number): tf.Tensor {
  return tf.tidy(() => {
    if (!guided) return denoiser.predict(xt, step);
    if (denoiser.predictGuided) return denoiser.predictGuided(xt, step, guidanceScale);
    const [conditional, unconditional] = tf.split(denoiser.predict(tf.concat([xt, xt], 0), step), 2, 0);
    return mix(conditional, unconditional, guidanceScale);
  });
}
