export { ModuleAwareMoEDecoder, type MoEDecodeOutput } from './module-aware-moe-decoder';
export { SharedMLPDecoder, type SharedMLPDecoderConfig } from './shared-mlp-decoder';
export type { ModuleAwareMoEDecoderConfig, TemperatureSchedule, BalanceLossConfig, HeadKind } from './config';
export type { NormalSource, ModuleSpec, FactorPair, RouterStats, DecodeOptions, DecodeOutput, LoraDecoder } from './types';
export { assignStateDict, countParameters } from './parameters/parameter-store';
export { plainMatMul } from './layers/plain-matmul';
export { MoeDecoderError, DecoderConfigError, StateDictError } from './errors';
