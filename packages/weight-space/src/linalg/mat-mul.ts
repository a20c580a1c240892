import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';

/**
 * x y^T over the last two axes (x [..., m, k], y [..., n, k]), for products whose inner dimension k is a factor's
 * long side. tfjs-backend-webgpu 4.22 picks its split-K program for a single batch with a small output and
 * k >= 2000, and that program's vec4 variant (k and n multiples of 4) reads y wrongly when y is transposed: a Gram
 * of a 48 x 4096 factor comes out off by 35 in entries of about 0.3. On WebGPU y is therefore transposed first
 * (one copy of the factor), so the product runs untransposed; other backends keep the transposed-operand product.
 */
export function matMulTransposedB(x: Tensor, y: Tensor): Tensor {
  if (tf.getBackend() !== 'webgpu') return tf.matMul(x, y, false, true);
  const perm = [...Array(y.rank - 2).keys(), y.rank - 1, y.rank - 2];
  return tf.tidy(() => tf.matMul(x, tf.transpose(y, perm)));
}

/** x x^T over the last two axes (rows' Gram), by {@link matMulTransposedB}. */
export function rowGram(x: Tensor): Tensor {
  return matMulTransposedB(x, x);
}
