// Browser-safe entry point: everything here works on bytes and objects (no `fs`).
export { SafetensorsError, AdapterFormatError, AdapterLayoutError } from './errors';
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
