import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { WeightSpaceError } from '../errors';
import { orthonormalColumns } from '../linalg/orthonormal-columns';
import { constantOf } from '../losses/stop-gradient';
import { lowRankSingularValues } from '../lowrank/singular-values';

/** Options of {@link denseSingularValues} and the dense losses. */
export interface DenseSpectrumOptions {
  /**
   * How many leading singular values to compute. At min(dOut, dIn) the result is exact; below it they come from
   * a subspace iteration, exact when rank(dW) <= `rank` and otherwise accurate to about
   * (sigma_{rank+1} / sigma_i)^(2 * powerIterations + 1).
   * @default min(dOut, dIn, 32)
   */
  rank?: number;
  /** Power iterations of the subspace iteration (unused when `rank` = min(dOut, dIn)). @default 6 */
  powerIterations?: number;
}

/** Resolves {@link DenseSpectrumOptions} for dW [..., m, n]. */
export function denseRank(shape: number[], opts: DenseSpectrumOptions): { rank: number; iterations: number } {
  const [m, n] = shape.slice(-2);
  const full = Math.min(m, n);
  const { rank = Math.min(full, 32), powerIterations = 6 } = opts;
  if (!(Number.isInteger(rank) && rank >= 1 && rank <= full)) {
    throw new WeightSpaceError(`rank must be an integer in [1, ${full}] for ${m} x ${n} updates (got ${rank})`);
  }
  if (!(Number.isInteger(powerIterations) && powerIterations >= 0)) {
    throw new WeightSpaceError(`powerIterations must be a non-negative integer (got ${powerIterations})`);
  }
  return { rank, iterations: powerIterations };
}

/**
 * The leading singular values of dense updates dW [..., m, n], descending ([..., rank]), differentiable.
 * dW is written as Q (Q^T dW) with Q an orthonormal basis of its leading left singular subspace (Q = I when
 * `rank` covers min(m, n)), and the factored solver does the rest; Q is held constant in the gradient, which is
 * exact because sigma_i(Q Q^T dW) has the same first-order change as sigma_i(dW) when Q spans u_1..u_rank.
 */
export function denseSingularValues(dW: Tensor, opts: DenseSpectrumOptions = {}): Tensor {
  if (dW.rank < 2) throw new WeightSpaceError(`dense updates must be [..., dOut, dIn] (got [${dW.shape}])`);
  const shape = dW.shape as number[];
  const { rank, iterations } = denseRank(shape, opts);
  const [m, n] = shape.slice(-2);
  return tf.tidy(() => {
    const flat = tf.reshape(dW, [-1, m, n]);
    const count = flat.shape[0] as number;
    let sigma: Tensor;
    if (rank === Math.min(m, n)) {
      // Exact: dW = I dW (m <= n) or dW I (n < m).
      const eye = (size: number) => tf.broadcastTo(tf.eye(size), [count, size, size]);
      sigma = m <= n ? lowRankSingularValues({ A: flat, B: eye(m) }) : lowRankSingularValues({ A: eye(n), B: flat });
    } else {
      const basis = constantOf(flat, (w) => leadingBasis(w, rank, iterations));
      sigma = lowRankSingularValues({ A: tf.matMul(basis, flat, true, false), B: basis });
    }
    return tf.reshape(sigma, [...shape.slice(0, -2), rank]);
  });
}

/** Subspace iteration from a fixed-seed Gaussian start: an orthonormal basis [N, m, rank] of dW's leading range. */
function leadingBasis(w: Tensor, rank: number, iterations: number): Tensor {
  const n = w.shape[2] as number;
  const start = tf.randomNormal([n, rank], 0, 1, 'float32', 20260128);
  const flatRows = tf.reshape(w, [-1, n]);
  let q = orthonormalColumns(tf.reshape(tf.matMul(flatRows, start), [w.shape[0] as number, -1, rank]));
  for (let i = 0; i < iterations; i++) {
    q = orthonormalColumns(tf.matMul(w, orthonormalColumns(tf.matMul(w, q, true, false))));
  }
  return q;
}
