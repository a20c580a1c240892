// How the demo's adapters are named and configured in PEFT terms.
import type { PeftLoraConfig } from '@loragen/lora-io';

/** The base model's name in `adapter_config.json`. */
export const BASE_MODEL_NAME = 'loragen-demo-base';

const PEFT_PREFIX = 'base_model.model.';

/** PEFT's module path for a projection path: `base_model.model.model.layers.0.self_attn.q_proj`. */
export const peftModuleName = (path: string): string => `${PEFT_PREFIX}${path}`;

/** The base model weight a PEFT module adapts (`model.layers.0.self_attn.q_proj.weight`), or throws. */
export function baseWeightName(moduleName: string): string {
  if (!moduleName.startsWith(PEFT_PREFIX)) {
    throw new RangeError(`adapter module '${moduleName}' does not start with '${PEFT_PREFIX}': it was not made for this base model`);
  }
  return `${moduleName.slice(PEFT_PREFIX.length)}.weight`;
}

/** `adapter_config.json` of a library adapter. */
export const libraryAdapterConfig = (rank: number, alpha: number, projections: readonly string[]): PeftLoraConfig => ({
  peft_type: 'LORA',
  r: rank,
  lora_alpha: alpha,
  use_rslora: false,
  target_modules: projections.map((p) => `${p}_proj`),
  fan_in_fan_out: false,
  bias: 'none',
  base_model_name_or_path: BASE_MODEL_NAME,
  task_type: null,
});
