// DPM-Solver++(2M) (Lu et al. 2022), the multistep second-order solver of the probability-flow ODE in the
// data-prediction form. With lambda = log(alpha / sigma) and h = lambda_next - lambda_t:
//   x_next = (sigma_next / sigma_t) x_t + alpha_next (1 - e^{-h}) D,
//   D = (1 + 1/(2r)) x0_t - 1/(2r) x0_prev,  r = h_prev / h  (first order, D = x0_t, at the first and last step).
import * as tf from '@tensorflow/tfjs-core';
import type { Solver, SolverStep } from './solver';
import { halfLogSnr } from './timestep-spacing';

/** The move's numbers; k = 1/(2r) is 0 where the step is first order (no previous h, or the last step). */
function move(abarT: number, abarNext: number, prevH: number): { sigmaRatio: number; dCoef: number; k: number; h: number } {
  const alphaNext = Math.sqrt(abarNext);
  const sigmaRatio = Math.sqrt((1 - abarNext) / (1 - abarT));
  // e^{-h} = (alpha_t sigma_next) / (sigma_t alpha_next), written so that a clean target (sigma_next = 0)
  // or a pure-noise start (alpha_t = 0) stays finite.
  const expMinusH = (Math.sqrt(abarT) * sigmaRatio) / alphaNext;
  const h = halfLogSnr(abarNext) - halfLogSnr(abarT);
  const secondOrder = !Number.isNaN(prevH) && abarNext < 1;
  return { sigmaRatio, dCoef: alphaNext * (1 - expMinusH), k: secondOrder ? 1 / (2 * (prevH / h)) : 0, h };
}

export function dpmSolverPp2mSolver(): Solver {
  let prevX0: tf.Tensor | null = null;
  let prevH = Number.NaN; // none before the first step
  return {
    step({ xt, x0, abarT, abarNext }: SolverStep): tf.Tensor {
      const { sigmaRatio, dCoef, k, h } = move(abarT, abarNext, prevH);
      const next = tf.tidy(() => {
        const d = prevX0 !== null && k !== 0 ? tf.sub(tf.mul(x0, 1 + k), tf.mul(prevX0, k)) : x0;
        return tf.add(tf.mul(xt, sigmaRatio), tf.mul(d, dCoef));
      });
      prevX0?.dispose();
      prevX0 = tf.keep(tf.clone(x0)); // step runs inside the caller's tidy
      prevH = h;
      return next;
    },
    coefficients(abarT, abarNext) {
      const { sigmaRatio, dCoef, k, h } = move(abarT, abarNext, prevH);
      prevH = h;
      return { xt: sigmaRatio, x0: dCoef * (1 + k), prevX0: -dCoef * k, noise: 0 };
    },
    dispose() {
      prevX0?.dispose();
      prevX0 = null;
    },
  };
}
