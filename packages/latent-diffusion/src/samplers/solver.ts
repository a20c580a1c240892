import type * as tf from '@tensorflow/tfjs-core';

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

/** A sampler's update rule. It may keep state between steps (multistep solvers); `dispose` frees it. */
export interface Solver {
  step(s: SolverStep): tf.Tensor;
  dispose(): void;
}
