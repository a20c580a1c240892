// Node-only entry point: file-system reading and atomic writing, plus everything the browser-safe entry has.
export * from './index';
export { readPeftAdapter, writePeftAdapter, readPeftConfig, findWeightsFile, CONFIG_FILE, SAFETENSORS_FILE, BIN_FILE } from './node/peft-fs';
export {
  readSafetensorsFile,
  readSafetensorsHeader,
  readSafetensorsFileAsFloat32,
  writeSafetensorsFile,
  type ReadSafetensorsFileOptions,
} from './node/safetensors-file';
export { writeFileAtomic, writeFolderAtomic, type AtomicWriteOptions, type AtomicFolderOptions } from './node/atomic';
export { readLoraLibrary, type LoraLibrary, type LoraLibraryTask } from './node/library';
