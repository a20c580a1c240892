// Conversions between the quantities a denoiser may predict. With a = sqrt(abar_t), s = sqrt(1 - abar_t):
//   x_t = a x0 + s eps,   v = a eps - s x0,   so   x0 = a x_t - s v,   eps = s x_t + a v   (a^2 + s^2 = 1).
// Coefficients are numbers (one timestep for the whole batch) or tensors that broadcast against x_t.
import * as tf from '@tensorflow/tfjs-core';

export type Coefficient = number | tf.Tensor;

/** What a denoiser predicts: `v` (default throughout this package) or the noise `epsilon`. */
export type Prediction = 'v' | 'epsilon';

/** x_t = a x0 + s eps: the forward (noising) process. */
export function addNoise(x0: tf.Tensor, eps: tf.Tensor, a: Coefficient, s: Coefficient): tf.Tensor {
  return tf.tidy(() => tf.add(tf.mul(x0, a), tf.mul(eps, s)));
}

/** v = a eps - s x0. */
export function velocityFrom(x0: tf.Tensor, eps: tf.Tensor, a: Coefficient, s: Coefficient): tf.Tensor {
  return tf.tidy(() => tf.sub(tf.mul(eps, a), tf.mul(x0, s)));
}

/** x0 = a x_t - s v. */
export function x0FromVelocity(xt: tf.Tensor, v: tf.Tensor, a: Coefficient, s: Coefficient): tf.Tensor {
  return tf.tidy(() => tf.sub(tf.mul(xt, a), tf.mul(v, s)));
}

/** eps = s x_t + a v. */
export function epsFromVelocity(xt: tf.Tensor, v: tf.Tensor, a: Coefficient, s: Coefficient): tf.Tensor {
  return tf.tidy(() => tf.add(tf.mul(xt, s), tf.mul(v, a)));
}

/** x0 = (x_t - s eps) / a; undefined where a = 0 (pure noise). */
export function x0FromEps(xt: tf.Tensor, eps: tf.Tensor, a: Coefficient, s: Coefficient): tf.Tensor {
  return tf.tidy(() => tf.div(tf.sub(xt, tf.mul(eps, s)), a));
}

/** eps = (x_t - a x0) / s; undefined where s = 0 (clean data). */
export function epsFromX0(xt: tf.Tensor, x0: tf.Tensor, a: Coefficient, s: Coefficient): tf.Tensor {
  return tf.tidy(() => tf.div(tf.sub(xt, tf.mul(x0, a)), s));
}

/** The clean-data estimate x0 implied by a model output of kind `prediction`. */
export function x0FromPrediction(xt: tf.Tensor, output: tf.Tensor, a: Coefficient, s: Coefficient, prediction: Prediction): tf.Tensor {
  return prediction === 'v' ? x0FromVelocity(xt, output, a, s) : x0FromEps(xt, output, a, s);
}
