// DPM-Solver++(2M) (Lu et al. 2022), the multistep second-order solver of the probability-flow ODE in the
// data-prediction form. With lambda = log(alpha / sigma) and h = lambda_next - lambda_t:
//   x_next = (sigma_next / sigma_t) x_t + alpha_next (1 - e^{-h}) D,
//   D = (1 + 1/(2r)) x0_t - 1/(2r) x0_prev,  r = h_prev / h  (first order, D = x0_t, at the first and last step).
import type { Solver } from './solver';
import { halfLogSnr } from './timestep-spacing';

export function dpmSolverPp2mSolver(): Solver {
  let prevH = Number.NaN; // NaN until the first step: first order there
  return {
    coefficients(abarT, abarNext) {
      const alphaNext = Math.sqrt(abarNext);
      const sigmaRatio = Math.sqrt((1 - abarNext) / (1 - abarT));
      // e^{-h} = (alpha_t sigma_next) / (sigma_t alpha_next), written so that a clean target (sigma_next = 0)
      // or a pure-noise start (alpha_t = 0) stays finite.
      const expMinusH = (Math.sqrt(abarT) * sigmaRatio) / alphaNext;
      const h = halfLogSnr(abarNext) - halfLogSnr(abarT);
      const secondOrder = !Number.isNaN(prevH) && abarNext < 1;
      const k = secondOrder ? 1 / (2 * (prevH / h)) : 0;
      prevH = h;
      const dCoef = alphaNext * (1 - expMinusH);
      return { xt: sigmaRatio, x0: dCoef * (1 + k), prevX0: -dCoef * k, noise: 0 };
    },
  };
}
