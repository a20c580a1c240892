// Node-only entry point: file-system reading and atomic writing.
import type { LoraAdapter, WritePeftAdapterOptions } from './types';
import { AdapterFormatError } from './errors';

export * from './index';

/** Reads a PEFT LoRA adapter folder (`adapter_config.json` + `adapter_model.safetensors` or `.bin`). */
export async function readPeftAdapter(dir: string): Promise<LoraAdapter> {
  throw new AdapterFormatError(`readPeftAdapter(${dir}): not implemented yet`);
}

/** Writes `adapter_config.json` and `adapter_model.safetensors` into `dir`, atomically. */
export async function writePeftAdapter(dir: string, adapter: LoraAdapter, opts?: WritePeftAdapterOptions): Promise<void> {
  void adapter;
  void opts;
  throw new AdapterFormatError(`writePeftAdapter(${dir}): not implemented yet`);
}
