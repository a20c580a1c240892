import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { jacobiRounds } from './round-robin';

/** Result of {@link jacobiSvd}: K V = columns, with mutually orthogonal columns of norms sigma_i. */
export interface JacobiSvd {
  /** K V [N, r, r]: column i is sigma_i u_i (unsorted). */
  columns: Tensor;
  /** V [N, r, r], orthogonal: column i is the right singular vector v_i. */
  right: Tensor;
}

/**
 * One-sided (Hestenes) Jacobi SVD of a batch of small square matrices K [N, r, r], written with tfjs ops so it
 * runs inside a gradient tape on every backend. Each round rotates r/2 disjoint column pairs at once (one
 * batched matmul); a fixed number of sweeps replaces a convergence test (no data reads). Works on K directly,
 * not on K^T K, so small singular values keep their relative accuracy.
 */
export function jacobiSvd(k: Tensor, sweeps: number): JacobiSvd {
  return tf.tidy(() => {
    const [n, r] = k.shape as number[];
    const rounds = jacobiRounds(r).map((round) => ({
      select: tf.tensor2d(round.select, [r * r, 3 * round.pairs]),
      place: tf.tensor2d(round.place, [2 * round.pairs, r * r]),
      idle: tf.tensor3d(round.idle, [1, r, r]),
      pairs: round.pairs,
    }));
    // K stacked over V: one matmul per round rotates both.
    let kv = tf.concat([k, tf.broadcastTo(tf.eye(r), [n, r, r])], 1);
    for (let sweep = 0; sweep < sweeps; sweep++) {
      for (const round of rounds) {
        const next = tf.tidy(() => {
          const cur = tf.slice(kv, [0, 0, 0], [n, r, r]);
          const gram = tf.reshape(tf.matMul(cur, cur, true, false), [n, r * r]);
          const [alpha, beta, gamma] = tf.split(tf.matMul(gram, round.select), 3, 1);
          // tan(2 theta) = 2 gamma / (beta - alpha), folded so |theta| <= pi/4 (inner rotation).
          const gap = tf.sub(beta, alpha);
          const sign = tf.step(gap, -1);
          const theta = tf.mul(tf.atan2(tf.mul(tf.mul(gamma, sign), 2), tf.abs(gap)), 0.5);
          const rotation = tf.add(
            tf.reshape(tf.matMul(tf.concat([tf.cos(theta), tf.sin(theta)], 1), round.place), [n, r, r]),
            round.idle,
          );
          return tf.matMul(kv, rotation);
        });
        kv.dispose();
        kv = next;
      }
    }
    return {
      columns: tf.slice(kv, [0, 0, 0], [n, r, r]),
      right: tf.slice(kv, [0, r, 0], [n, r, r]),
    };
  });
}
