// The base model on disk: `model.safetensors` (F32, Hugging Face names) and `config.json`, through lora-io.
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readSafetensorsFileAsFloat32, writeSafetensorsFile } from '@loragen/lora-io/node';
import type { BaseModelConfig } from '../model/config';
import { parameterShapes, type WeightTable } from '../model/parameters';
import { writeJsonAtomic } from './write-text';

export const BASE_MODEL_WEIGHTS = 'model.safetensors';
export const BASE_MODEL_CONFIG = 'config.json';

/** Saves the base model's weights and config into `dir`. */
export async function saveBaseModel(dir: string, weights: WeightTable, config: BaseModelConfig): Promise<void> {
  await mkdir(dir, { recursive: true });
  const tensors = new Map([...weights].map(([name, w]) => [name, { dtype: 'F32' as const, shape: w.shape, data: w.values }]));
  await writeSafetensorsFile(join(dir, BASE_MODEL_WEIGHTS), tensors, { format: 'pt' });
  await writeJsonAtomic(join(dir, BASE_MODEL_CONFIG), config);
}

/** Loads a base model saved by `saveBaseModel`; every expected weight must be there with its shape. */
export async function loadBaseModel(dir: string): Promise<{ weights: WeightTable; config: BaseModelConfig }> {
  const config = JSON.parse(await readFile(join(dir, BASE_MODEL_CONFIG), 'utf8')) as BaseModelConfig;
  const file = await readSafetensorsFileAsFloat32(join(dir, BASE_MODEL_WEIGHTS));
  const weights: WeightTable = new Map();
  for (const [name, shape] of parameterShapes(config)) {
    const tensor = file.tensors.get(name);
    if (!tensor || tensor.shape.join() !== shape.join()) {
      throw new RangeError(
        `${join(dir, BASE_MODEL_WEIGHTS)}: weight '${name}' is ${tensor ? `[${tensor.shape}]` : 'missing'}, expected [${shape}]; rebuild it with the build-library script`,
      );
    }
    weights.set(name, { shape, values: tensor.values });
  }
  return { weights, config };
}
