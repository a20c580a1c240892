// Small functional building blocks of the DiT, written with tfjs-core ops only (they run on every backend and
// have gradients everywhere, wasm included).
import * as tf from '@tensorflow/tfjs-core';

// A note on the tfjs cpu backend, which runs kernels in plain JS: a binary op whose operands broadcast along a
// size-1 axis other than the leading ones ([b, n, w] * [b, 1, w]), a reduction over any axis but the last (the
// gradient of such a broadcast, or of a bias), a transpose and a split along an inner axis all go element by
// element through index arithmetic, many times slower than its plain loops, and 5-20x slower again inside jest,
// whose sandbox makes every global lookup on those paths slow. Where it costs no extra kernel and no time on
// wasm or WebGPU, these layers and the DiT use a matMul instead (an outer product for a broadcast, a product with
// ones for a sum), which is fast on every backend, gradients included.

/**
 * x [m, k] W [k, n] + b [n], whose bias gradient is the product ones [1, m] x dy instead of a column sum. (A
 * custom gradient returns every input's: for the DiT's data inputs dx is one small product no one reads.) The
 * weight and input gradients transpose their operand explicitly: the wasm backend runs a matMul with transposeA /
 * transposeB 5-10x slower than a plain one on the DiT's shapes ([128, 64] x [64, 256]: 1.6 ms flagged, 0.3 ms
 * with the transpose materialised), and these two products were half of a stage-2 training step there.
 */
const affine = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, kernel, bias, save] = inputs as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
  save([x, kernel]);
  return {
    value: tf.add(tf.matMul(x, kernel), bias),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [input, weights] = saved as [tf.Tensor2D, tf.Tensor2D];
      const rows = tf.ones([1, dy.shape[0]]);
      return [
        tf.matMul(dy as tf.Tensor2D, tf.transpose(weights)),
        tf.matMul(tf.transpose(input), dy as tf.Tensor2D),
        tf.reshape(tf.matMul(rows, dy as tf.Tensor2D), [dy.shape[1] as number]),
      ];
    },
  };
});

/**
 * x W + b over the last axis of x (any rank): flattened to one matMul, which every backend supports. (A fused
 * matMul + bias would save a kernel, but on wasm its gradient trips tfjs's per-kernel leak check when IS_TEST is
 * set, and it sums the bias gradient over columns.)
 */
export function dense(x: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor): tf.Tensor {
  const [inDim, outDim] = kernel.shape;
  const lead = x.shape.slice(0, -1);
  const flat = tf.reshape(x, [-1, inDim]) as tf.Tensor2D;
  return tf.reshape(affine(flat, kernel as tf.Tensor2D, bias as tf.Tensor1D), [...lead, outDim]);
}

export function silu(x: tf.Tensor): tf.Tensor {
  return tf.mul(x, tf.sigmoid(x));
}

/** x - mean and 1 / std over the last axis of x [b, n, w] ([b, n, w] and [b, n, 1]). */
function standardize(x: tf.Tensor, epsilon: number): { centered: tf.Tensor; inverseStd: tf.Tensor } {
  // tf.mean, not a product with a column of 1 / w: on the cpu backend that one's gradient would avoid a broadcast,
  // but WebGPU runs a matMul with one output column slowly (guided sampling took about 1.5x as long on the H200 here)
  const centered = tf.sub(x, tf.mean(x, -1, true));
  const variance = tf.mean(tf.square(centered), -1, true);
  return { centered, inverseStd: tf.rsqrt(tf.add(variance, epsilon)) };
}

/**
 * LayerNorm over the last axis without learned affine parameters (adaLN supplies scale and shift). Written out
 * rather than with tf.moments so that x - mean is computed once.
 */
export function layerNorm(x: tf.Tensor, epsilon = 1e-6): tf.Tensor {
  const { centered, inverseStd } = standardize(x, epsilon);
  return tf.mul(centered, inverseStd);
}

/**
 * adaLN: layerNorm(x) (1 + scale) + shift for x [b, n, w] and per-sample shift, onePlusScale [b, 1, w] (the DiT
 * adds the 1 once, when it computes the modulation). The per-token 1 / std and the per-sample 1 + scale are
 * multiplied first ([b, n, 1] x [b, 1, w]), so that x - mean meets them in a multiply without broadcast. (As a
 * batched matMul that product would leave the cpu backend no broadcast at all, but on wasm a matMul of inner
 * size 1 takes about 5x as long as the multiply.)
 */
export function modulatedLayerNorm(x: tf.Tensor, shift: tf.Tensor, onePlusScale: tf.Tensor, epsilon = 1e-6): tf.Tensor {
  const { centered, inverseStd } = standardize(x, epsilon);
  return tf.add(tf.mul(centered, tf.mul(inverseStd, onePlusScale)), shift);
}

/**
 * Sinusoidal embedding of (float) timesteps [batch] into [batch, dim]: cos and sin of t * 10000^(-i / half),
 * as in the Transformer and DiT.
 */
export function sinusoidalEmbedding(t: tf.Tensor, dim: number, maxPeriod = 10000): tf.Tensor {
  const half = Math.floor(dim / 2);
  const freqs = Float32Array.from({ length: half }, (_, i) => Math.exp((-Math.log(maxPeriod) * i) / half));
  // an outer product [batch, 1] x [1, half] (see the note on the cpu backend above)
  const args = tf.matMul(tf.reshape(tf.cast(t, 'float32'), [-1, 1]), tf.tensor2d(freqs, [1, half]));
  return tf.concat([tf.cos(args), tf.sin(args)], 1);
}

/**
 * Splits `parts` stacked projections x [b, n, parts * heads * d] (e.g. q, k, v of one dense layer) into `parts`
 * tensors [heads, b, n, d] with one transpose for all of them (a 4-d one: wasm's 5-d transpose is far slower).
 * Heads lead, before the batch, so that each part is one contiguous block of the transposed tensor: the tfjs cpu
 * backend cuts those as views, where a split along an inner axis copies element by element.
 */
export function splitHeads(x: tf.Tensor, parts: number, heads: number): tf.Tensor[] {
  const [b, n, total] = x.shape as [number, number, number];
  const d = total / (parts * heads);
  const stacked = tf.transpose(tf.reshape(x, [b, n, parts * heads, d]), [2, 0, 1, 3]);
  return parts === 1 ? [stacked] : tf.split(stacked, parts, 0);
}

/**
 * Scaled dot-product attention over heads already split: q [heads, b, n, d], k and v [heads, b, m, d] ->
 * [b, n, heads * d], every head in one batched product.
 */
export function attendHeads(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor): tf.Tensor {
  const [heads, b, n, d] = q.shape as [number, number, number, number];
  const scores = tf.div(tf.matMul(q, k, false, true), Math.sqrt(d));
  const mixed = tf.matMul(tf.softmax(scores, -1), v);
  return tf.reshape(tf.transpose(mixed, [1, 2, 0, 3]), [b, n, heads * d]);
}
