// A low-rank head: per position only rank x headRank coefficients are predicted for each factor, and learned
// bases per module type span the factors' rows: A = C_A P_A with P_A [headRank, dIn], B^T = C_B P_B with
// P_B [headRank, dOut]. Weights: width * 2 * rank * headRank + headRank * (dIn + dOut), against the direct head's
// width * rank * (dIn + dOut); A's rows and B's columns then lie in headRank-dimensional subspaces per module type.
import * as tf from '@tensorflow/tfjs-core';
import { linear } from '../layers/linear';
import type { ParameterStore } from '../parameters/parameter-store';
import type { ModuleSpec } from '../types';
import type { ModuleHead } from './factor-layout';
import { plainMatMul } from '../layers/plain-matmul';

export function factorisedHead(store: ParameterStore, spec: ModuleSpec, width: number, headRank: number): ModuleHead {
  const { name, rank, dIn, dOut } = spec;
  const coefficients = linear(store, `heads/${name}/coefficients`, width, 2 * rank * headRank);
  const basisA = store.normal(`heads/${name}/basisA`, [headRank, dIn], 1 / Math.sqrt(headRank));
  const basisB = store.normal(`heads/${name}/basisB`, [headRank, dOut], 1 / Math.sqrt(headRank));
  return (rows, batch, layers) => {
    const n = rows.shape[0];
    // [n * 2 * rank, headRank]: rows of C_A for every position, then rows of C_B
    const c = tf.reshape(coefficients(rows), [n, 2, rank, headRank]);
    const cA = tf.reshape(tf.slice(c, [0, 0, 0, 0], [n, 1, rank, headRank]), [n * rank, headRank]);
    const cB = tf.reshape(tf.slice(c, [0, 1, 0, 0], [n, 1, rank, headRank]), [n * rank, headRank]);
    const A = tf.reshape(plainMatMul(cA as tf.Tensor2D, basisA as tf.Tensor2D), [batch, layers, rank, dIn]) as tf.Tensor4D;
    const Bt = tf.reshape(plainMatMul(cB as tf.Tensor2D, basisB as tf.Tensor2D), [batch, layers, rank, dOut]);
    return { A, B: tf.transpose(Bt, [0, 1, 3, 2]) as tf.Tensor4D };
  };
}
