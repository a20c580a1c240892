export { LatentDiffusionError, SamplingAbortedError } from './errors';
export { createSchedule, type NoiseSchedule, type ScheduleKind, type ScheduleOptions } from './schedule/schedule';
export { rescaleToZeroTerminalSnr } from './schedule/zero-terminal-snr';
export {
  addNoise,
  velocityFrom,
  x0FromVelocity,
  epsFromVelocity,
  x0FromEps,
  epsFromX0,
  x0FromPrediction,
  type Coefficient,
  type Prediction,
} from './objectives/conversions';
export { SeededRng, RNG_ALGORITHMS, type RngAlgorithm, type SeededRngOptions, type SeededRngState } from './random/seeded-rng';
/** @deprecated Renamed {@link SeededRng} (its default algorithm is this generator's); the old name goes in a later release. */
export { SeededRng as GaussianRng } from './random/seeded-rng';
export { sample } from './samplers/sample';
export { samplingTimesteps } from './samplers/timestep-spacing';
export type {
  Denoiser,
  Denormalizer,
  PreparedDenoiser,
  SampleOptions,
  SamplingLoop,
  SamplingPlan,
  SampleProgress,
  SolverCoefficients,
  SamplerKind,
  ScheduleLike,
  TimestepSpacing,
} from './samplers/types';
export { lossWeight, type LossWeighting } from './objectives/loss-weighting';
export {
  denoisingLoss,
  diffusionLoss,
  type DenoisingLossOptions,
  type DenoisingTarget,
  type DiffusionLossOptions,
} from './objectives/diffusion-loss';
export { DiT, type DiTConfig, type ConditionalDenoiser } from './denoiser/dit';
export { setFusedSamplingKernels, fusedSamplingActive } from './webgpu/fused-kernels';
export type { ParameterMap } from './denoiser/parameters';
export { ExponentialMovingAverage, type EmaOptions, type EmaState } from './training/ema';
export { LatentNormalizer, type LatentNormalizerState } from './training/latent-normalizer';
export { closedFormGaussianDenoiser, gaussianMomentErrors, type GaussianData } from './analysis/closed-form-gaussian';
