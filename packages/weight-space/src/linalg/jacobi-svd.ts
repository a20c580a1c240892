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
 * the r/2 disjoint column pairs of a round-robin schedule at once, element-wise: a constant permutation brings
 * every column's partner alongside it, and column i becomes cos(phi_i) k_i + sin(phi_i) k_partner(i) with
 * phi = -theta at p and +theta at q. That keeps a round at about 20 kernels (two of them reshapes, which launch
 * nothing on a GPU), whatever r is: on webgpu the cost is launches, not arithmetic. A fixed number of sweeps replaces a convergence test (no
 * data reads). It works on K, not on K^T K, so small singular values keep their accuracy.
 */
export function jacobiSvd(k: Tensor, sweeps: number): JacobiSvd {
  return tf.tidy(() => {
    const [n, r] = k.shape as number[];
    const rounds = jacobiRounds(r).map((round) => ({
      // The partner permutation as an [r, r] matrix (an involution, so symmetric): a flat [2Nr, r] product with
      // it is one fast XNNPACK call on wasm, where a gather along the last axis is several times slower.
      swap: tf.tensor2d(
        Float32Array.from({ length: r * r }, (_, i) => (round.partner[i % r] === Math.floor(i / r) ? 1 : 0)),
        [r, r],
      ),
      halfSign: tf.tensor3d(round.halfSign, [1, 1, r]),
    }));
    // K stacked over V: every rotation acts on both.
    let kv = tf.concat([k, tf.broadcastTo(tf.eye(r), [n, r, r])], 1);
    for (let sweep = 0; sweep < sweeps; sweep++) {
      for (const round of rounds) {
        const next = tf.tidy(() => {
          const swapped = tf.reshape(tf.matMul(tf.reshape(kv, [2 * n * r, r]), round.swap), [n, 2 * r, r]);
          const top = tf.slice(kv, [0, 0, 0], [n, r, r]);
          const partner = tf.slice(swapped, [0, 0, 0], [n, r, r]);
          // Column statistics as rows [N, 1, r]. At both p and q: half the gap |k_q|^2 - |k_p|^2 (as
          // (k_p - k_q) . (k_p + k_q), which does not cancel for close norms), and k_p . k_q.
          const gap = tf.sum(tf.mul(tf.sub(top, partner), tf.add(top, partner)), 1, true);
          const halfGap = tf.mul(gap, round.halfSign);
          const dot = tf.sum(tf.mul(top, partner), 1, true);
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
