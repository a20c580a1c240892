// Top-K soft gating: keep each token's K largest router logits, softmax over those K, zero elsewhere.
import * as tf from '@tensorflow/tfjs-core';

// Added to dropped logits: exp of it underflows to exactly 0 in float32, so dropped gates are exactly 0
// and get exactly zero gradient. Kept finite (not -Infinity) so that 0 * offset stays 0.
const DROPPED = -1e9;

export interface TopKGates {
  /** [tokens, experts]: each row sums to 1 over its K kept experts and is 0 elsewhere */
  gates: tf.Tensor2D;
  /** [tokens, experts]: 1 where the expert is among the token's K kept, else 0 (no gradient) */
  mask: tf.Tensor2D;
}

/**
 * Which K experts each token keeps. The choice is discrete: its gradient is zero, declared through customGrad
 * because tfjs has no gradient for TopK and would otherwise fail to differentiate anything downstream.
 */
function topKMask(logits: tf.Tensor2D, k: number): tf.Tensor2D {
  const select = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const x = inputs[0] as tf.Tensor2D;
    const { indices } = tf.topk(x, k);
    // one [tokens, experts] one-hot per rank, added: summing an int32 [tokens, K, experts] over K runs a broken
    // int32 transpose shader on webgpu, and wasm's OneHot ignores a float32 dtype argument
    const ranks = tf.split(indices, k, 1).map((column) => tf.cast(tf.oneHot(tf.reshape(column, [-1]), x.shape[1]), 'float32'));
    const value = ranks.length === 1 ? ranks[0] : tf.addN(ranks);
    return { value, gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) };
  });
  return select(logits) as tf.Tensor2D;
}

/** `logits` [tokens, experts], already divided by the temperature. */
export function topKGates(logits: tf.Tensor2D, k: number): TopKGates {
  const mask = topKMask(logits, k);
  const gates = tf.softmax(tf.add(logits, tf.mul(tf.sub(1, mask), DROPPED))) as tf.Tensor2D;
  return { gates, mask };
}
