// E small MLP experts (Linear, SiLU, Linear), computed densely for every token and mixed by the gates.
// For the few experts LoRAGen uses (E = 4) this is two matmuls in all instead of E gathers and scatters, and it
// needs no gather gradient (missing on wasm); the benchmark reports what the experts cost next to the heads.
import * as tf from '@tensorflow/tfjs-core';
import type { ParameterStore } from '../parameters/parameter-store';
import { silu } from '../layers/linear';

export type Experts = (h: tf.Tensor2D, gates: tf.Tensor2D) => tf.Tensor2D;

/**
 * Variables `experts/hidden/kernel` [inDim, E * hidden] (the E first layers side by side), `experts/hidden/bias`,
 * `experts/out/kernel` [E, hidden, hidden], `experts/out/bias` [E, 1, hidden].
 * Returns h [tokens, inDim], gates [tokens, E] -> sum_e gates[:, e] * expert_e(h) [tokens, hidden].
 */
export function denseExperts(store: ParameterStore, numExperts: number, inDim: number, hidden: number): Experts {
  const w1 = store.normal('experts/hidden/kernel', [inDim, numExperts * hidden], 1 / Math.sqrt(inDim));
  const b1 = store.zeros('experts/hidden/bias', [numExperts * hidden]);
  const w2 = store.normal('experts/out/kernel', [numExperts, hidden, hidden], 1 / Math.sqrt(hidden));
  const b2 = store.zeros('experts/out/bias', [numExperts, 1, hidden]);
  return (h, gates) => {
    const tokens = h.shape[0];
    const first = silu(tf.add(tf.matMul(h, w1), b1));
    const perExpert = tf.transpose(tf.reshape(first, [tokens, numExperts, hidden]), [1, 0, 2]);
    const outputs = tf.add(tf.matMul(perExpert, w2), b2); // [E, tokens, hidden]
    const weighted = tf.mul(outputs, tf.expandDims(tf.transpose(gates), 2));
    return tf.sum(weighted, 0) as tf.Tensor2D;
  };
}
