// Ancestral DDPM (Ho et al. 2020): draw x_next from the Gaussian posterior q(x_next | x_t, x0 = estimate).
// With a strided timestep sequence the per-step beta is 1 - abar_t / abar_next.
import type { Solver } from './solver';

export function ddpmSolver(): Solver {
  return {
    coefficients(abarT, abarNext) {
      const beta = 1 - abarT / abarNext;
      const variance = ((1 - abarNext) / (1 - abarT)) * beta;
      return {
        xt: (Math.sqrt(1 - beta) * (1 - abarNext)) / (1 - abarT),
        x0: (Math.sqrt(abarNext) * beta) / (1 - abarT),
        prevX0: 0,
        noise: variance > 0 ? Math.sqrt(variance) : 0,
      };
    },
  };
}
