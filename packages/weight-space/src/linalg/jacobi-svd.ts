import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { type JacobiRound, jacobiRounds } from './round-robin';

/** Result of {@link jacobiSvd}: K V = columns, with mutually orthogonal columns of norms sigma_i. */
export interface JacobiSvd {
  /** K V [N, r, r]: column i is sigma_i u_i (unsorted). */
  columns: Tensor;
  /** V [N, r, r], orthogonal: column i is the right singular vector v_i. */
  right: Tensor;
}

function roundTensors(round: JacobiRound, r: number) {
  const h = round.pairs;
  return {
    swap: tf.tensor2d(round.swap, [r, r]),
    gap: tf.tensor2d(round.gap, [r, h]),
    twice: tf.tensor2d(round.twice, [r, h]),
    cos: tf.tensor2d(round.cos, [h, r]),
    sin: tf.tensor2d(round.sin, [h, r]),
    idle: round.idle ? tf.tensor2d(round.idle, [1, r]) : null,
  };
}

/**
 * One-sided (Hestenes) Jacobi SVD of a batch of small square matrices K [N, r, r], written with tfjs ops so it
 * runs inside a gradient tape on every backend. Each round rotates the r/2 disjoint column pairs of a
 * round-robin schedule at once (element-wise, with the partner columns brought in by a constant permutation);
 * a fixed number of sweeps replaces a convergence test (no data reads). It works on K, not on K^T K, so small
 * singular values keep their accuracy.
 */
export function jacobiSvd(k: Tensor, sweeps: number): JacobiSvd {
  return tf.tidy(() => {
    const [n, r] = k.shape as number[];
    const rounds = jacobiRounds(r).map((round) => roundTensors(round, r));
    // K stacked over V: every rotation acts on both.
    let kv = tf.concat([k, tf.broadcastTo(tf.eye(r), [n, r, r])], 1);
    for (let sweep = 0; sweep < sweeps; sweep++) {
      for (const round of rounds) {
        const next = tf.tidy(() => {
          const swapped = tf.reshape(tf.matMul(tf.reshape(kv, [2 * n * r, r]), round.swap), [n, 2 * r, r]);
          const top = tf.slice(kv, [0, 0, 0], [n, r, r]);
          const partner = tf.slice(swapped, [0, 0, 0], [n, r, r]);
          // gap = |k_q|^2 - |k_p|^2 and twice = 2 k_p . k_q; tan(2 theta) = twice / gap, folded to |theta| <= pi/4.
          const gap = tf.matMul(tf.sum(tf.square(top), 1), round.gap);
          const twice = tf.matMul(tf.sum(tf.mul(top, partner), 1), round.twice);
          const theta = tf.mul(tf.atan2(tf.mul(twice, tf.step(gap, -1)), tf.abs(gap)), 0.5);
          let cosRow = tf.matMul(tf.cos(theta), round.cos);
          if (round.idle) cosRow = tf.add(cosRow, round.idle);
          const sinRow = tf.matMul(tf.sin(theta), round.sin);
          return tf.add(tf.mul(kv, tf.reshape(cosRow, [n, 1, r])), tf.mul(swapped, tf.reshape(sinRow, [n, 1, r])));
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
