// Ancestral DDPM (Ho et al. 2020): draw x_next from the Gaussian posterior q(x_next | x_t, x0 = estimate).
// With a strided timestep sequence the per-step beta is 1 - abar_t / abar_next.
import * as tf from '@tensorflow/tfjs-core';
import type { Solver, SolverStep } from './solver';

/** The posterior's mean coefficients and variance. */
function posterior(abarT: number, abarNext: number): { x0Coef: number; xtCoef: number; variance: number } {
  const beta = 1 - abarT / abarNext;
  return {
    x0Coef: (Math.sqrt(abarNext) * beta) / (1 - abarT),
    xtCoef: (Math.sqrt(1 - beta) * (1 - abarNext)) / (1 - abarT),
    variance: ((1 - abarNext) / (1 - abarT)) * beta,
  };
}

export function ddpmSolver(): Solver {
  return {
    step({ xt, x0, abarT, abarNext, noise }: SolverStep): tf.Tensor {
      const { x0Coef, xtCoef, variance } = posterior(abarT, abarNext);
      return tf.tidy(() => {
        const mean = tf.add(tf.mul(x0, x0Coef), tf.mul(xt, xtCoef));
        return variance > 0 ? tf.add(mean, tf.mul(noise(), Math.sqrt(variance))) : mean;
      });
    },
    coefficients(abarT, abarNext) {
      const { x0Coef, xtCoef, variance } = posterior(abarT, abarNext);
      return { xt: xtCoef, x0: x0Coef, prevX0: 0, noise: variance > 0 ? Math.sqrt(variance) : 0 };
    },
    dispose() {},
  };
}
