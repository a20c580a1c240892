import type * as tf from '@tensorflow/tfjs-core';
import type { SolverCoefficients } from './types';

/** One move of a sampler from noise level abar_t to the less noisy abar_next (1 means clean data). */
export interface SolverStep {
  xt: tf.Tensor;
  /** The denoiser's clean-data estimate at t. */
  x0: tf.Tensor;
  /** The matching noise estimate at t; computed only when asked for. */
  eps: () => tf.Tensor;
  abarT: number;
  abarNext: number;
  /** Standard-normal noise of x_t's shape, for stochastic samplers; created only when asked for. */
  noise: () => tf.Tensor;
}

/**
 * A sampler's update rule, two ways from the same numbers: `step` as tensor ops (what `sample` runs step by step, in
 * the order cpu results are pinned to bit for bit), `coefficients` as the linear map of the move (what a denoiser's
 * `sampleLoop` applies in one kernel). Either is called once per step, in order, and may keep state between steps
 * (multistep solvers): use one instance one way. `dispose` frees its state.
 */
export interface Solver {
  step(s: SolverStep): tf.Tensor;
  coefficients(abarT: number, abarNext: number): SolverCoefficients;
  dispose(): void;
}
