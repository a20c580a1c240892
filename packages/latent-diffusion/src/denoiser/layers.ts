// Small functional building blocks of the DiT, written with tfjs-core ops only (they run on every backend and
// have gradients everywhere, wasm included).
import * as tf from '@tensorflow/tfjs-core';

/** x W + b over the last axis of x (any rank): flattened to one matMul, which every backend supports. */
export function dense(x: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor): tf.Tensor {
  const [inDim, outDim] = kernel.shape;
  const lead = x.shape.slice(0, -1);
  const flat = tf.reshape(x, [-1, inDim]);
  return tf.reshape(tf.add(tf.matMul(flat, kernel), bias), [...lead, outDim]);
}

export function silu(x: tf.Tensor): tf.Tensor {
  return tf.mul(x, tf.sigmoid(x));
}

/** LayerNorm over the last axis without learned affine parameters (adaLN supplies scale and shift). */
export function layerNorm(x: tf.Tensor, epsilon = 1e-6): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, epsilon)));
}

/** x (1 + scale) + shift, with scale and shift [batch, width] broadcast over the tokens of x [batch, n, width]. */
export function modulate(x: tf.Tensor, shift: tf.Tensor, scale: tf.Tensor): tf.Tensor {
  const [b, w] = shift.shape;
  return tf.add(tf.mul(x, tf.add(1, tf.reshape(scale, [b, 1, w]))), tf.reshape(shift, [b, 1, w]));
}

/**
 * Sinusoidal embedding of (float) timesteps [batch] into [batch, dim]: cos and sin of t * 10000^(-i / half),
 * as in the Transformer and DiT.
 */
export function sinusoidalEmbedding(t: tf.Tensor, dim: number, maxPeriod = 10000): tf.Tensor {
  const half = Math.floor(dim / 2);
  const freqs = Float32Array.from({ length: half }, (_, i) => Math.exp((-Math.log(maxPeriod) * i) / half));
  const args = tf.mul(tf.reshape(tf.cast(t, 'float32'), [-1, 1]), tf.tensor2d(freqs, [1, half]));
  return tf.concat([tf.cos(args), tf.sin(args)], 1);
}

/**
 * Multi-head scaled dot-product attention. q [b, n, w], k and v [b, m, w] (already projected) -> [b, n, w].
 */
export function multiHeadAttention(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, heads: number): tf.Tensor {
  const [b, n, w] = q.shape as [number, number, number];
  const m = k.shape[1] as number;
  const d = w / heads;
  const split = (x: tf.Tensor, len: number) => tf.transpose(tf.reshape(x, [b, len, heads, d]), [0, 2, 1, 3]);
  const scores = tf.div(tf.matMul(split(q, n), split(k, m), false, true), Math.sqrt(d));
  const mixed = tf.matMul(tf.softmax(scores, -1), split(v, m));
  return tf.reshape(tf.transpose(mixed, [0, 2, 1, 3]), [b, n, w]);
}
