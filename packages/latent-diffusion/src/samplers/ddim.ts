// DDIM (Song et al. 2021): x_next = sqrt(abar_next) x0 + sqrt(1 - abar_next - sigma^2) eps + sigma z,
// sigma = eta sqrt((1 - abar_next) / (1 - abar_t)) sqrt(1 - abar_t / abar_next); eta = 0 is deterministic.
// With eps = (x_t - sqrt(abar_t) x0) / sqrt(1 - abar_t), the move is linear in x_t and x0.
import type { Solver } from './solver';

export function ddimSolver(eta: number): Solver {
  return {
    coefficients(abarT, abarNext) {
      const sigma = eta * Math.sqrt(((1 - abarNext) / (1 - abarT)) * (1 - abarT / abarNext));
      const epsCoef = Math.sqrt(Math.max(1 - abarNext - sigma * sigma, 0));
      const epsPerXt = epsCoef / Math.sqrt(1 - abarT);
      return { xt: epsPerXt, x0: Math.sqrt(abarNext) - epsPerXt * Math.sqrt(abarT), prevX0: 0, noise: sigma };
    },
  };
}
