export { KernelModuleError, UnsupportedTfjsError, WeightSpaceError } from './errors';
export type {
  AdapterLossOptions,
  AngularLossOptions,
  LossReduction,
  LowRankFactors,
  SpectralLossOptions,
} from './types';
export { angularLoss } from './losses/angular';
export { spectralLoss } from './losses/spectral';
export { adapterLoss } from './losses/adapter-loss';
export { PreparedTarget, prepareTarget, type LossTarget } from './losses/prepared-target';
export { lowRankInner, lowRankNorm } from './lowrank/frobenius';
export { lowRankSingularValues } from './lowrank/singular-values';
export {
  lowRankCosineFloat64,
  lowRankInnerFloat64,
  lowRankNormFloat64,
  lowRankSingularValuesFloat64,
  type LowRankArrays,
} from './lowrank/float64';
export { symmetricEigenvalues } from './linalg/symmetric-eigenvalues';
export { setSimdKernels, simdKernelsActive, simdThreadsActive } from './host/registry';
export { setSimdThreads } from './host/gram-worker';
export { setWebGpuKernels, webGpuKernelsActive } from './webgpu/kernels';
export { groupFactors } from './lowrank/group-factors';
export { denseAngularLoss, denseSpectralLoss } from './dense/dense-losses';
export { denseSingularValues, type DenseSpectrumOptions } from './dense/dense-singular-values';
export { spectralEntropy, spectralEntropyOfValues, type SpectralEntropyOptions } from './analysis/spectral-entropy';
export { cosineSimilarityMatrix, type CosineSimilarityOptions } from './analysis/cosine-similarity';
export { applyGauge, balancedFactors, invertGauge } from './analysis/gauge';
export { truncatedSvdOfSum, type TruncatedSvd, type TruncatedSvdOptions } from './lowrank/truncated-svd';
export type { RankBudget, Truncation } from './lowrank/rank-budget';
export { merge, type MergeOptions } from './arithmetic/merge';
export { compress, type CompressOptions } from './arithmetic/compress';
export type { AdapterModule, ArithmeticModule, ArithmeticProgress, ArithmeticResult, FactoredAdapter } from './arithmetic/adapter';
