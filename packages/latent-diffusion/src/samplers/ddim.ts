// DDIM (Song et al. 2021): x_next = sqrt(abar_next) x0 + sqrt(1 - abar_next - sigma^2) eps + sigma z,
// sigma = eta sqrt((1 - abar_next) / (1 - abar_t)) sqrt(1 - abar_t / abar_next); eta = 0 is deterministic.
import * as tf from '@tensorflow/tfjs-core';
import type { Solver, SolverStep } from './solver';

export function ddimSolver(eta: number): Solver {
  return {
    step({ x0, eps, abarT, abarNext, noise }: SolverStep): tf.Tensor {
      const sigma = eta * Math.sqrt(((1 - abarNext) / (1 - abarT)) * (1 - abarT / abarNext));
      const epsCoef = Math.sqrt(Math.max(1 - abarNext - sigma * sigma, 0));
      return tf.tidy(() => {
        const next = tf.add(tf.mul(x0, Math.sqrt(abarNext)), tf.mul(eps(), epsCoef));
        return sigma > 0 ? tf.add(next, tf.mul(noise(), sigma)) : next;
      });
    },
    dispose() {},
  };
}
