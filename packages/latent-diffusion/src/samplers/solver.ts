import type { SolverCoefficients } from './types';

/**
 * A sampler's update rule as numbers: the linear map of one move from abar_t to abar_next (1 means clean data), see
 * `SolverCoefficients`. Called once per step, in order; multistep solvers keep state between calls. The map being
 * linear is what lets `sample` apply it with a few tensor ops, or a denoiser's `sampleLoop` in one GPU kernel.
 */
export interface Solver {
  coefficients(abarT: number, abarNext: number): SolverCoefficients;
}
