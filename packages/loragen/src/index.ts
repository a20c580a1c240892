export { useBackend, defaultBackend } from './backend/use-backend';
export { BACKEND_NAMES, type BackendName } from './backend/names';
export {
  LoraGenError,
  BackendUnavailableError,
  ConfigError,
  LibraryError,
  CheckpointError,
  TextEncoderError,
  AbortedError,
  PathError,
  NumericalError,
} from './errors';
export { configSchema, type LoraGenConfig, type LoraGenConfigInput } from './config/schema';
export { resolveConfig } from './config/resolve-config';
export { SeededRng, type RngAlgorithm, type SeededRngState } from '@loragen/latent-diffusion';
export { Prng } from './training/deprecated-prng';
export { trainingRng, TRAINING_RNG_ALGORITHM } from './training/training-rng';
export { embedTasks, type TaskTextEncoder } from './text/text-encoder';
export { HashingTextEncoder, type CenteredOptions, type HashingTextEncoderOptions } from './text/hashing-encoder';
export { PrecomputedTextEncoder } from './text/precomputed-encoder';
export { TransformersTextEncoder, type TransformersTextEncoderOptions } from './text/transformers-encoder';
export { buildFactorSet, factorsOf, type LibraryTask, type FactorSet } from './data/factor-set';
export { layoutOf, type LibraryLayout, type ModuleTypeSpec } from './data/layout';
export { LoraAutoencoder, type FactorBatch } from './autoencoder/lora-autoencoder';
export { ModuleEncoder } from './autoencoder/module-encoder';
export { autoencoderLoss, gaussianKl, type AutoencoderLossParts } from './autoencoder/objective';
export type { TrainableDenoiser, DenoiserShape, DenoiserChoice } from './diffusion/denoiser-factory';
export type { DecoderChoice, DecoderShape } from './model/networks';
export type { FitProgress } from './training/progress';
export { LoraGen, type ConfidentGenerateOptions, type ConfidentGeneration, type FitOptions, type GenerateOptions, type LoadOptions } from './loragen';
export {
  confidenceScore,
  libraryFit,
  libraryGap,
  RETRIEVAL_SHARE,
  sampleAgreement,
  updateCosine,
  updateInner,
  type GenerationConfidence,
  type NearTask,
} from './model/confidence';
export type { Conditioning } from './text/condition-rows';
export { TextToLora, type TextToLoraFitOptions } from './baselines/text-to-lora';
export { anchorConditions, taskWeights, type AnchoringOptions } from './diffusion/condition-anchoring';
export { observeLibrary, pearson, type LibraryObservations, type TaskPair } from './analysis/observations';
export { auroc, ranks, spearman } from './analysis/rank-statistics';
export { escapeXml, groupedBarSvg, type BarValue, type GroupedBarChart } from './analysis/svg-charts';
export {
  lowRankCosineFloat64,
  lowRankInnerFloat64,
  lowRankNormFloat64,
  lowRankSingularValuesFloat64,
  spectralEntropyOfValues,
  symmetricEigenvalues,
  type LowRankArrays,
} from '@loragen/weight-space';
/**
 * @deprecated The float64 host versions now live in @loragen/weight-space under distinct names (weight-space's own
 * `lowRankInner` etc. take tensors); these old names go in a later release.
 */
export {
  lowRankCosineFloat64 as lowRankCosine,
  lowRankInnerFloat64 as lowRankInner,
  lowRankNormFloat64 as lowRankNorm,
  lowRankSingularValuesFloat64 as lowRankSingularValues,
  spectralEntropyOfValues as spectralEntropy,
  type LowRankArrays as LowRankFactors,
} from '@loragen/weight-space';
export {
  mergeAdapters,
  compressAdapter,
  type AdapterArithmeticOptions,
  type AdapterArithmeticResult,
  type ModuleOutcome,
} from './arithmetic/adapter-arithmetic';
