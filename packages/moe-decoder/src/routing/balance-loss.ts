// The load-balancing loss and the router statistics it is built from.
import * as tf from '@tensorflow/tfjs-core';
import type { RouterStats } from '../types';

export interface BalanceLossOptions {
  /** multiplier of the hinged value */
  weight: number;
  /** the loss is zero at or below this value */
  hinge: number;
}

/**
 * L = weight * max(0, E * sum_e p_e f_e - hinge), with p_e the router softmax probability of expert e averaged over
 * tokens (differentiable) and f_e the fraction of the N*K routing slots given to e (a constant: top-K is discrete).
 * E * sum p_e f_e is 1 when routing is uniform and grows up to E as it collapses onto one expert, so the default
 * hinge 1 charges only imbalance. The router learns from this term through p_e.
 *
 * @param logits [tokens, experts] router logits divided by the temperature
 * @param mask [tokens, experts] 1 where the expert is among the token's top K
 */
export function balanceLoss(logits: tf.Tensor2D, mask: tf.Tensor2D, options: BalanceLossOptions): { loss: tf.Scalar; stats: RouterStats } {
  const numExperts = logits.shape[1];
  const probs = tf.softmax(logits);
  const expertImportance = tf.mean(probs, 0) as tf.Tensor1D;
  const expertLoad = tf.div(tf.sum(mask, 0), tf.sum(mask)) as tf.Tensor1D;
  const balance = tf.mul(numExperts, tf.sum(tf.mul(expertImportance, expertLoad)));
  const loss = tf.mul(options.weight, tf.relu(tf.sub(balance, options.hinge))) as tf.Scalar;
  const routerEntropy = tf.neg(tf.mean(tf.sum(tf.mul(probs, tf.logSoftmax(logits)), 1))) as tf.Scalar;
  return { loss, stats: { expertLoad, expertImportance, routerEntropy } };
}
