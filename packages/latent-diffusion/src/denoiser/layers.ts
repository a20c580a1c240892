// Small functional building blocks of the DiT, written with tfjs-core ops only (they run on every backend and
// have gradients everywhere, wasm included).
import * as tf from '@tensorflow/tfjs-core';

/**
 * x W + b over the last axis of x (any rank): flattened to one matMul, which every backend supports. (A fused
 * matMul + bias would save a kernel, but on wasm its gradient trips tfjs's per-kernel leak check when IS_TEST is set.)
 */
export function dense(x: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor): tf.Tensor {
  const [inDim, outDim] = kernel.shape;
  const lead = x.shape.slice(0, -1);
  const flat = tf.reshape(x, [-1, inDim]);
  return tf.reshape(tf.add(tf.matMul(flat, kernel), bias), [...lead, outDim]);
}

export function silu(x: tf.Tensor): tf.Tensor {
  return tf.mul(x, tf.sigmoid(x));
}

/**
 * LayerNorm over the last axis without learned affine parameters (adaLN supplies scale and shift). Written out
 * rather than with tf.moments so that x - mean is computed once.
 */
export function layerNorm(x: tf.Tensor, epsilon = 1e-6): tf.Tensor {
  const centered = tf.sub(x, tf.mean(x, -1, true));
  const variance = tf.mean(tf.square(centered), -1, true);
  return tf.mul(centered, tf.rsqrt(tf.add(variance, epsilon)));
}

/**
 * x (1 + scale) + shift over the tokens of x [batch, n, width]; shift and onePlusScale are [batch, 1, width]
 * (the DiT adds the 1 once, when it computes the modulation).
 */
export function modulate(x: tf.Tensor, shift: tf.Tensor, onePlusScale: tf.Tensor): tf.Tensor {
  return tf.add(tf.mul(x, onePlusScale), shift);
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
 * Splits `parts` stacked projections x [b, n, parts * heads * d] (e.g. q, k, v of one dense layer) into `parts`
 * tensors [b, heads, n, d] with one transpose for all of them (a 4-d one: wasm's 5-d transpose is far slower).
 */
export function splitHeads(x: tf.Tensor, parts: number, heads: number): tf.Tensor[] {
  const [b, n, total] = x.shape as [number, number, number];
  const d = total / (parts * heads);
  const stacked = tf.transpose(tf.reshape(x, [b, n, parts * heads, d]), [0, 2, 1, 3]);
  return parts === 1 ? [stacked] : tf.split(stacked, parts, 1);
}

/**
 * Scaled dot-product attention over heads already split: q [b, h, n, d], k and v [b, h, m, d] -> [b, n, h * d],
 * every head in one batched product.
 */
export function attendHeads(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor): tf.Tensor {
  const [b, heads, n, d] = q.shape as [number, number, number, number];
  const scores = tf.div(tf.matMul(q, k, false, true), Math.sqrt(d));
  const mixed = tf.matMul(tf.softmax(scores, -1), v);
  return tf.reshape(tf.transpose(mixed, [0, 2, 1, 3]), [b, n, heads * d]);
}
