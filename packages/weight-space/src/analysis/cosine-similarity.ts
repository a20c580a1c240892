import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { WeightSpaceError } from '../errors';
import { lowRankInner } from '../lowrank/frobenius';
import type { LowRankFactors } from '../types';
import { factorShape } from '../validate';
import { rowGram } from '../linalg/mat-mul';

/** Options of {@link cosineSimilarityMatrix}. */
export interface CosineSimilarityOptions {
  /**
   * `'dW'`: cosine of the full updates (all positions together, never formed); `'factors'`: cosine of the
   * flattened [A, B] of each adapter, the comparison the paper shows is nearly meaningless.
   * @default 'dW'
   */
  space?: 'dW' | 'factors';
}

/**
 * The N x N cosine-similarity matrix of a set of adapters (each `{ A, B }` batched over the same positions),
 * on dW or on the flattened factors (the paper's observation 1: task similarity shows in dW, not in A/B).
 */
export function cosineSimilarityMatrix(adapters: LowRankFactors[], opts: CosineSimilarityOptions = {}): Tensor {
  const { space = 'dW' } = opts;
  if (adapters.length === 0) throw new WeightSpaceError('cosineSimilarityMatrix needs at least one adapter');
  const shapes = adapters.map((a, i) => factorShape(a, `adapters[${i}]`));
  for (const [i, s] of shapes.entries()) {
    const first = shapes[0];
    if (s.batch.join() !== first.batch.join() || s.dOut !== first.dOut || s.dIn !== first.dIn) {
      throw new WeightSpaceError(
        `adapters[${i}] has positions [${s.batch}] of ${s.dOut} x ${s.dIn}; adapters[0] has [${first.batch}] of ${first.dOut} x ${first.dIn}`,
      );
    }
  }
  if (space !== 'dW' && space !== 'factors') {
    throw new WeightSpaceError(`space must be 'dW' or 'factors' (got ${String(space)})`);
  }
  return tf.tidy(() => {
    let gram: Tensor;
    if (space === 'factors') {
      const rows = tf.stack(adapters.map((a) => tf.concat([tf.reshape(a.A, [-1]), tf.reshape(a.B, [-1])])));
      gram = rowGram(rows);
    } else {
      const n = adapters.length;
      const entries: Tensor[][] = Array.from({ length: n }, () => []);
      for (let i = 0; i < n; i++) {
        for (let j = i; j < n; j++) {
          entries[i][j] = tf.sum(lowRankInner(adapters[i], adapters[j]));
          entries[j][i] = entries[i][j];
        }
      }
      gram = tf.stack(entries.map((row) => tf.stack(row)));
    }
    const norms = tf.sqrt(tf.maximum(tf.sum(tf.mul(gram, tf.eye(adapters.length)), 1), 1e-30));
    return tf.div(gram, tf.mul(tf.expandDims(norms, 1), tf.expandDims(norms, 0)));
  });
}
