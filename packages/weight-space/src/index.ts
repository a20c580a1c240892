export { WeightSpaceError } from './errors';
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
