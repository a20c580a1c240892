// The base model on disk: `model.safetensors` (F32, Hugging Face names) and `config.json`, written with lora-io.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseSafetensors, serializeSafetensors, tensorToFloat32 } from '@loragen/lora-io';
import type { BaseModelConfig } from '../model/config';
import { parameterShapes, type WeightTable } from '../model/parameters';

export const BASE_MODEL_WEIGHTS = 'model.safetensors';
export const BASE_MODEL_CONFIG = 'config.json';

/** Writes a file through a temporary name in the same folder, so a reader never sees half a file. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const temporary = `${path}.tmp-${process.pid}`;
  await writeFile(temporary, data);
  await rename(temporary, path);
}

/** Saves the base model's weights and config into `dir`. */
export async function saveBaseModel(dir: string, weights: WeightTable, config: BaseModelConfig): Promise<void> {
  await mkdir(dir, { recursive: true });
  const tensors = new Map([...weights].map(([name, w]) => [name, { dtype: 'F32' as const, shape: w.shape, data: w.values }]));
  await writeFileAtomic(join(dir, BASE_MODEL_WEIGHTS), serializeSafetensors(tensors, { format: 'pt' }));
  await writeFileAtomic(join(dir, BASE_MODEL_CONFIG), `${JSON.stringify(config, null, 2)}\n`);
}

/** Loads a base model saved by `saveBaseModel`; every expected weight must be there with its shape. */
export async function loadBaseModel(dir: string): Promise<{ weights: WeightTable; config: BaseModelConfig }> {
  const config = JSON.parse(await readFile(join(dir, BASE_MODEL_CONFIG), 'utf8')) as BaseModelConfig;
  const file = parseSafetensors(await readFile(join(dir, BASE_MODEL_WEIGHTS)));
  const weights: WeightTable = new Map();
  for (const [name, shape] of parameterShapes(config)) {
    const tensor = file.tensors.get(name);
    if (!tensor || tensor.shape.join() !== shape.join()) {
      throw new RangeError(`${join(dir, BASE_MODEL_WEIGHTS)}: weight '${name}' is ${tensor ? `[${tensor.shape}]` : 'missing'}, expected [${shape}]; rebuild with npm run build-library`);
    }
    weights.set(name, { shape, values: tensorToFloat32(tensor, { copy: true }) });
  }
  return { weights, config };
}
