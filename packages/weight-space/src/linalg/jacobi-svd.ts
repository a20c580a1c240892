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
 * Sweeps of the r x r Jacobi SVD: 8 at r = 16, 9 at r = 32. Measured in float32 (test/jacobi-svd.test.ts): graded
 * spectra (sigma from 1 to 1e-3) are the slowest case and need all of them (at r = 16, 7 sweeps leave 2e-5 sigma_1
 * of error, 6 leave 3e-4); clustered, repeated and tiny singular values converge a sweep or two earlier.
 */
export const jacobiSweeps = (r: number): number => 4 + Math.ceil(Math.log2(Math.max(r, 2)));

/**
 * One-sided (Hestenes) Jacobi SVD of a batch of small square matrices K [N, r, r], written with tfjs ops so it
 * runs inside a gradient tape's forward on every backend (it is never differentiated itself). Each round rotates
 * the r/2 disjoint column pairs of a round-robin schedule at once and only with element-wise ops: a gather
 * brings every column's partner alongside it, and column i becomes cos(phi_i) k_i + sin(phi_i) k_partner(i)
 * with phi = -theta at p and +theta at q. That keeps a round at about 20 kernels, whatever r is, which is what
 * the cost is on webgpu (launches, not arithmetic). A fixed number of sweeps replaces a convergence test (no
 * data reads). It works on K, not on K^T K, so small singular values keep their accuracy.
 */
export function jacobiSvd(k: Tensor, sweeps: number): JacobiSvd {
  return tf.tidy(() => {
    const [n, r] = k.shape as number[];
    const rounds = jacobiRounds(r).map((round) => ({
      partner: tf.tensor1d(round.partner, 'int32'),
      halfSign: tf.tensor3d(round.halfSign, [1, 1, r]),
    }));
    // K stacked over V: every rotation acts on both.
    let kv = tf.concat([k, tf.broadcastTo(tf.eye(r), [n, r, r])], 1);
    for (let sweep = 0; sweep < sweeps; sweep++) {
      for (const round of rounds) {
        const next = tf.tidy(() => {
          const swapped = tf.gather(kv, round.partner, 2);
          const top = tf.slice(kv, [0, 0, 0], [n, r, r]);
          // Column statistics as rows [N, 1, r]. At both p and q: half the gap |k_q|^2 - |k_p|^2, and k_p . k_q.
          const squares = tf.sum(tf.square(top), 1, true);
          const halfGap = tf.mul(tf.sub(squares, tf.gather(squares, round.partner, 2)), round.halfSign);
          const dot = tf.sum(tf.mul(top, tf.slice(swapped, [0, 0, 0], [n, r, r])), 1, true);
          // tan(2 theta) = 2 k_p . k_q / gap, folded to |theta| <= pi/4 (the inner rotation, which converges).
          const angle = tf.atan2(tf.mul(dot, tf.step(halfGap, -1)), tf.abs(halfGap));
          const phi = tf.mul(angle, round.halfSign);
          return tf.add(tf.mul(kv, tf.cos(phi)), tf.mul(swapped, tf.sin(phi)));
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
