// E small MLP experts (Linear, SiLU, Linear), computed densely for every token and mixed by the gates.
// The gated sum is folded into the second layer: sum_e g_e (a_e W2_e + b2_e) = [g_1 a_1, ..., g_E a_E] W2 + g b2
// with W2 the experts' second kernels stacked, so the whole mixture is two plain matmuls and one broadcast
// multiply: no per-expert gathers or scatters (tf.gather has no gradient on wasm) and no transposes.
// Dense costs E / K times the routed FLOPs; for LoRAGen's E = 4 the benchmark shows the experts are a small
// share of a step next to the heads.
import * as tf from '@tensorflow/tfjs-core';
import type { ParameterStore } from '../parameters/parameter-store';
import { silu } from '../layers/linear';
import { plainMatMul } from '../layers/plain-matmul';

export type Experts = (h: tf.Tensor2D, gates: tf.Tensor2D) => tf.Tensor2D;

/**
 * Variables `experts/hidden/kernel` [inDim, E * hidden] (the E first kernels side by side), `experts/hidden/bias`
 * [E * hidden], `experts/out/kernel` [E * hidden, hidden] (the E second kernels stacked), `experts/out/bias` [E, hidden].
 * Returns h [tokens, inDim], gates [tokens, E] -> sum_e gates[:, e] * expert_e(h) [tokens, hidden].
 */
export function denseExperts(store: ParameterStore, numExperts: number, inDim: number, hidden: number): Experts {
  const w1 = store.normal('experts/hidden/kernel', [inDim, numExperts * hidden], 1 / Math.sqrt(inDim));
  const b1 = store.zeros('experts/hidden/bias', [numExperts * hidden]);
  const w2 = store.normal('experts/out/kernel', [numExperts * hidden, hidden], 1 / Math.sqrt(hidden));
  const b2 = store.zeros('experts/out/bias', [numExperts, hidden]);
  return (h, gates) => {
    const tokens = h.shape[0];
    const first = tf.reshape(silu(tf.add(plainMatMul(h, w1 as tf.Tensor2D), b1)), [tokens, numExperts, hidden]);
    const gated: tf.Tensor2D = tf.reshape(tf.mul(first, tf.expandDims(gates, 2)), [tokens, numExperts * hidden]);
    return tf.add(plainMatMul(gated, w2 as tf.Tensor2D), plainMatMul(gates, b2 as tf.Tensor2D));
  };
}
