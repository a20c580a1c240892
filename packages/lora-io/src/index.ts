// Browser-safe entry point: everything here works on bytes and objects (no `fs`). File-system reading and
// atomic writing live in `@loragen/lora-io/node`.
export { LoraIoError, SafetensorsError, AdapterFormatError, AdapterLayoutError } from './errors';
export type {
  PeftLoraConfig,
  LoraModule,
  LoraAdapter,
  AdapterDtype,
  WritePeftAdapterOptions,
  SafetensorsDtype,
  ModulePosition,
  LayoutPresetName,
} from './types';

// Safetensors
export { DTYPE_SIZE, READABLE_DTYPES, WRITABLE_DTYPES } from './safetensors/dtypes';
export { MAX_HEADER_BYTES, parseSafetensorsHeader, readHeaderLength, type SafetensorsHeader, type SafetensorsTensorInfo } from './safetensors/header';
export { parseSafetensors, parseSafetensorsBlob, parseSafetensorsHeaderFromBytes, type SafetensorsFile } from './safetensors/parse';
export { serializeSafetensors, planSafetensors, type SafetensorsInput, type SafetensorsPlan } from './safetensors/serialize';
export { tensorToFloat32, float32ToBytes, roundThrough, numel, type SafetensorsTensor, type FloatDtype } from './safetensors/convert';

// PyTorch .bin (restricted unpickler)
export { readTorchStateDict } from './torch/bin';

// PEFT adapters
export {
  parsePeftConfig,
  findPatternKey,
  moduleRankAlpha,
  loraScaling,
  matchesTargetModules,
  baseModulePath,
  peftModulePath,
  PEFT_PREFIX,
} from './peft/config';
export {
  parsePeftAdapter,
  adapterFromTensors,
  groupAdapterTensors,
  serializePeftAdapter,
  planPeftAdapter,
  configForModules,
  stringifyPeftConfig,
  getAdapterExtraTensors,
  setAdapterExtraTensors,
  type ModuleTensors,
  type SerializePeftAdapterOptions,
} from './peft/adapter';

export { checkArithmeticInputs, adapterFromFactors, type FactoredModule } from './peft/arithmetic';

// Layouts
export {
  LAYOUT_PRESETS,
  T5_PRESET,
  LLAMA_PRESET,
  GPT2_PRESET,
  GENERIC_PRESET,
  detectLayoutPreset,
  modulePosition,
  modulePathOf,
  adapterLayout,
  layoutDifference,
  type LayoutPreset,
  type LayoutEntry,
  type AdapterLayout,
} from './layout/presets';

// LoRA libraries (the parts that need no file system)
export { parseDescriptionsYaml } from './library/descriptions';
