// PEFT adapter folders on disk.
import { mkdir, readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { LoraAdapter, PeftLoraConfig, WritePeftAdapterOptions } from '../types';
import { AdapterFormatError, locatedErrors } from '../errors';
import { adapterFromTensors, planPeftAdapter, stringifyPeftConfig } from '../peft/adapter';
import { parsePeftConfig } from '../peft/config';
import { readTorchStateDict } from '../torch/bin';
import { readSafetensorsFile, readSafetensorsHeader } from './safetensors-file';
import { writeFileAtomic } from './atomic';
import type { SafetensorsTensor } from '../safetensors/convert';

export const CONFIG_FILE = 'adapter_config.json';
export const SAFETENSORS_FILE = 'adapter_model.safetensors';
export const BIN_FILE = 'adapter_model.bin';
const MAX_CONFIG_BYTES = 16 << 20;

async function exists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** Reads `adapter_config.json` of an adapter folder. */
export async function readPeftConfig(dir: string): Promise<PeftLoraConfig> {
  const path = join(dir, CONFIG_FILE);
  let st;
  try {
    st = await stat(path);
  } catch {
    await assertFolder(dir);
    const listing = await readdir(dir).catch(() => [] as string[]);
    throw new AdapterFormatError(`${dir} has no ${CONFIG_FILE} (found: ${listing.slice(0, 20).join(', ') || 'nothing'})`);
  }
  if (st.size > MAX_CONFIG_BYTES) throw new AdapterFormatError(`${path} is ${st.size} bytes, too large for an adapter config`);
  const text = await readFile(path, 'utf8');
  return locatedErrors(dir, async () => parsePeftConfig(text));
}

/** Refuses a path that is missing or not a folder, naming it. */
async function assertFolder(dir: string): Promise<void> {
  const st = await stat(dir).catch(() => undefined);
  if (!st) throw new AdapterFormatError(`no adapter folder at ${dir}`);
  if (!st.isDirectory()) throw new AdapterFormatError(`${dir} is a file, not an adapter folder`);
}

/** The weights file of an adapter folder: safetensors when present, else the older `.bin`. */
export async function findWeightsFile(dir: string): Promise<{ path: string; format: 'safetensors' | 'bin' }> {
  const st = join(dir, SAFETENSORS_FILE);
  if (await exists(st)) return { path: st, format: 'safetensors' };
  const bin = join(dir, BIN_FILE);
  if (await exists(bin)) return { path: bin, format: 'bin' };
  throw new AdapterFormatError(`${dir} has neither ${SAFETENSORS_FILE} nor ${BIN_FILE}`);
}

/** Reads the tensors of an adapter's weights file. */
export async function readAdapterTensors(weights: { path: string; format: 'safetensors' | 'bin' }): Promise<Map<string, SafetensorsTensor>> {
  if (weights.format === 'safetensors') return (await readSafetensorsFile(weights.path)).tensors;
  const bytes = new Uint8Array(await readFile(weights.path));
  return locatedErrors(weights.path, async () => readTorchStateDict(bytes));
}

/** Shapes and dtypes of an adapter's tensors, reading as little as the format allows (a safetensors header). */
export async function readAdapterTensorShapes(weights: { path: string; format: 'safetensors' | 'bin' }): Promise<Map<string, SafetensorsTensor>> {
  if (weights.format === 'bin') return readAdapterTensors(weights);
  const header = await readSafetensorsHeader(weights.path);
  return new Map(header.tensors.map((t) => [t.name, { dtype: t.dtype, shape: t.shape, data: new Uint8Array(0) }]));
}

/**
 * Reads a PEFT LoRA adapter folder: `adapter_config.json` and `adapter_model.safetensors` (or the older
 * `adapter_model.bin`, read with a restricted unpickler that never runs code).
 */
export async function readPeftAdapter(dir: string): Promise<LoraAdapter> {
  const config = await readPeftConfig(dir);
  const tensors = await readAdapterTensors(await findWeightsFile(dir));
  return locatedErrors(dir, async () => adapterFromTensors(config, tensors));
}

/**
 * Writes `adapter_config.json` and `adapter_model.safetensors` into `dir` (created if needed), each atomically:
 * weights first, then the config. Factors are written in `opts.dtype` (default F32); tensors that
 * `readPeftAdapter` kept beside the factors (modules_to_save heads) are written back unchanged.
 */
export async function writePeftAdapter(dir: string, adapter: LoraAdapter, opts?: WritePeftAdapterOptions): Promise<void> {
  const { config, plan } = planPeftAdapter(adapter, opts);
  await mkdir(dir, { recursive: true });
  await writeFileAtomic(join(dir, SAFETENSORS_FILE), [plan.header, ...plan.parts], { fsync: true });
  await writeFileAtomic(join(dir, CONFIG_FILE), [new TextEncoder().encode(stringifyPeftConfig(config))], { fsync: true });
}
