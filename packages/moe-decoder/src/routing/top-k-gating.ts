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

/** `logits` [tokens, experts], already divided by the temperature. */
export function topKGates(logits: tf.Tensor2D, k: number): TopKGates {
  const numExperts = logits.shape[1];
  const { indices } = tf.topk(logits, k);
  const mask = tf.cast(tf.sum(tf.oneHot(indices, numExperts), 1), 'float32') as tf.Tensor2D;
  const gates = tf.softmax(tf.add(logits, tf.mul(tf.sub(1, mask), DROPPED))) as tf.Tensor2D;
  return { gates, mask };
}
