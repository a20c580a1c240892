// DPM-Solver++(2M) (Lu et al. 2022), the multistep second-order solver of the probability-flow ODE in the
// data-prediction form. With lambda = log(alpha / sigma) and h = lambda_next - lambda_t:
//   x_next = (sigma_next / sigma_t) x_t + alpha_next (1 - e^{-h}) D,
//   D = (1 + 1/(2r)) x0_t - 1/(2r) x0_prev,  r = h_prev / h  (first order, D = x0_t, at the first and last step).
import * as tf from '@tensorflow/tfjs-core';
import type { Solver, SolverStep } from './solver';
import { halfLogSnr } from './timestep-spacing';

export function dpmSolverPp2mSolver(): Solver {
  let prevX0: tf.Tensor | null = null;
  let prevH = Number.NaN;
  return {
    step({ xt, x0, abarT, abarNext }: SolverStep): tf.Tensor {
      const alphaNext = Math.sqrt(abarNext);
      const sigmaRatio = Math.sqrt((1 - abarNext) / (1 - abarT));
      // e^{-h} = (alpha_t sigma_next) / (sigma_t alpha_next), written so that a clean target (sigma_next = 0)
      // or a pure-noise start (alpha_t = 0) stays finite.
      const expMinusH = (Math.sqrt(abarT) * sigmaRatio) / alphaNext;
      const h = halfLogSnr(abarNext) - halfLogSnr(abarT);
      const lastStep = abarNext >= 1;
      const next = tf.tidy(() => {
        let d = x0;
        if (prevX0 !== null && !lastStep) {
          const r = prevH / h;
          const k = 1 / (2 * r);
          d = tf.sub(tf.mul(x0, 1 + k), tf.mul(prevX0, k));
        }
        return tf.add(tf.mul(xt, sigmaRatio), tf.mul(d, alphaNext * (1 - expMinusH)));
      });
      prevX0?.dispose();
      prevX0 = tf.keep(tf.clone(x0)); // step runs inside the caller's tidy
      prevH = h;
      return next;
    },
    dispose() {
      prevX0?.dispose();
      prevX0 = null;
    },
  };
}
