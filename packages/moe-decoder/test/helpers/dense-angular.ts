// The angular loss of the LoRAGen paper's weight-space supervision on the full dW (Huang et al., "LoRAGen:
// Structure-Aware Weight Space Learning for LoRA Generation", ICLR 2026, https://openreview.net/forum?id=mrafO7aTYj)
// computed the plain way, on materialised dW (local to these tests on purpose: this package does not depend on
// @loragen/weight-space).
import * as tf from '@tensorflow/tfjs';
import type { FactorPair } from '../../src';

/** mean over batch x layers x module types of 1 - <dW_hat, dW>_F / (|dW_hat|_F |dW|_F), with dW = B A. */
export function denseAngularLoss(predicted: Record<string, FactorPair>, target: Record<string, FactorPair>): tf.Scalar {
  return tf.tidy(() => {
    const perType = Object.keys(target).map((name) => {
      const dwHat = tf.matMul(predicted[name].B, predicted[name].A);
      const dw = tf.matMul(target[name].B, target[name].A);
      const inner = tf.sum(tf.mul(dwHat, dw), [2, 3]);
      const norms = tf.mul(tf.norm(dwHat, 'euclidean', [2, 3]), tf.norm(dw, 'euclidean', [2, 3]));
      return tf.mean(tf.sub(1, tf.div(inner, norms)));
    });
    return tf.div(tf.addN(perType), perType.length) as tf.Scalar;
  });
}

/** Random PEFT-shaped factors for `batch` adapters: A, B ~ N(0, 1), seeded. */
export function randomAdapters(
  modules: { name: string; dIn: number; dOut: number; rank: number }[],
  batch: number,
  layers: number,
  seed: number,
): Record<string, FactorPair> {
  const out: Record<string, FactorPair> = {};
  modules.forEach((m, i) => {
    out[m.name] = {
      A: tf.randomNormal([batch, layers, m.rank, m.dIn], 0, 1, 'float32', seed + 2 * i) as tf.Tensor4D,
      B: tf.randomNormal([batch, layers, m.dOut, m.rank], 0, 1, 'float32', seed + 2 * i + 1) as tf.Tensor4D,
    };
  });
  return out;
}
