// DDIM (Song et al. 2021): x_next = sqrt(abar_next) x0 + sqrt(1 - abar_next - sigma^2) eps + sigma z,
// sigma = eta sqrt((1 - abar_next) / (1 - abar_t)) sqrt(1 - abar_t / abar_next); eta = 0 is deterministic.
import * as tf from '@tensorflow/tfjs-core';
import type { Solver, SolverStep } from './solver';

function noiseScales(eta: number, abarT: number, abarNext: number): { sigma: number; epsCoef: number } {
  const sigma = eta * Math.sqrt(((1 - abarNext) / (1 - abarT)) * (1 - abarT / abarNext));
  return { sigma, epsCoef: Math.sqrt(Math.max(1 - abarNext - sigma * sigma, 0)) };
}

export function ddimSolver(eta: number): Solver {
  return {
    step({ x0, eps, abarT, abarNext, noise }: SolverStep): tf.Tensor {
      const { sigma, epsCoef } = noiseScales(eta, abarT, abarNext);
      return tf.tidy(() => {
        const next = tf.add(tf.mul(x0, Math.sqrt(abarNext)), tf.mul(eps(), epsCoef));
        return sigma > 0 ? tf.add(next, tf.mul(noise(), sigma)) : next;
      });
    },
    // with eps = (x_t - sqrt(abar_t) x0) / sqrt(1 - abar_t) the move is linear in x_t and x0
    coefficients(abarT, abarNext) {
      const { sigma, epsCoef } = noiseScales(eta, abarT, abarNext);
      const epsPerXt = epsCoef / Math.sqrt(1 - abarT);
      return { xt: epsPerXt, x0: Math.sqrt(abarNext) - epsPerXt * Math.sqrt(abarT), prevX0: 0, noise: sigma };
    },
    dispose() {},
  };
}
