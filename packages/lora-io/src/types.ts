// Public types of @loragen/lora-io. `LoraAdapter`, `LoraModule` and `PeftLoraConfig` are relied on by
// @loragen/core: change them only with a changeset and a note to its owners.

/**
 * The contents of a PEFT `adapter_config.json` for a LoRA adapter. Known fields are typed; every other field
 * (PEFT adds new ones with each release) is kept as it was read and written back unchanged.
 */
export interface PeftLoraConfig {
  /** Always 'LORA' for the adapters this package reads. */
  peft_type?: string;
  /** Default rank. */
  r: number;
  /** Default alpha. */
  lora_alpha: number;
  /** rsLoRA: scaling = alpha / sqrt(r) instead of alpha / r. */
  use_rslora?: boolean;
  /** Per-module rank overrides; a key matches a module path that ends with it (PEFT's rule). */
  rank_pattern?: Record<string, number>;
  /** Per-module alpha overrides, matched like `rank_pattern`. */
  alpha_pattern?: Record<string, number>;
  /** Module name suffixes (list) or a full-match regular expression (string). */
  target_modules?: string[] | string | null;
  /** The base layer stores its weight as [in, out] (GPT-2 Conv1D); A and B keep PEFT's shapes regardless. */
  fan_in_fan_out?: boolean;
  bias?: string;
  /** Modules saved whole beside the LoRA factors (classifier heads); their tensors are kept and written back. */
  modules_to_save?: string[] | null;
  /** DoRA: modules then carry a magnitude vector (`LoraModule.magnitude`). */
  use_dora?: boolean;
  base_model_name_or_path?: string | null;
  task_type?: string | null;
  /** Any other field, preserved on a round trip. */
  [key: string]: unknown;
}

/** One LoRA-adapted module: dW = scaling * B A, with A [rank, dIn] and B [dOut, rank], both row-major. */
export interface LoraModule {
  /** PEFT module path without `.lora_A.weight`, e.g. `base_model.model.model.layers.0.self_attn.q_proj`. */
  name: string;
  rank: number;
  alpha: number;
  /** PEFT's own scaling: alpha / rank, or alpha / sqrt(rank) with rsLoRA, after rank and alpha patterns. */
  scaling: number;
  dIn: number;
  dOut: number;
  /** [rank, dIn], row-major. */
  A: Float32Array;
  /** [dOut, rank], row-major. */
  B: Float32Array;
  /** DoRA magnitude vector (length dOut), when the adapter uses DoRA. */
  magnitude?: Float32Array;
}

/** A PEFT LoRA adapter: its config and its modules, in file order. */
export interface LoraAdapter {
  config: PeftLoraConfig;
  modules: LoraModule[];
}

/** Float dtypes `writePeftAdapter` can write. */
export type AdapterDtype = 'F32' | 'F16' | 'BF16';

/** Options of `writePeftAdapter` / `serializePeftAdapter`. */
export interface WritePeftAdapterOptions {
  /**
   * dtype of the LoRA factors on disk.
   * @default 'F32'
   */
  dtype?: AdapterDtype;
}

/** Safetensors dtypes. F8 types are read only. */
export type SafetensorsDtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL' | 'F8_E4M3' | 'F8_E5M2';

/** Where a LoRA module sits in its model. */
export interface ModulePosition {
  /** The adapted projection, e.g. 'q', 'v' (T5), 'q_proj', 'down_proj' (Llama family), 'c_attn' (GPT-2). */
  moduleType: string;
  /** Layer (block) index, or -1 when the name carries none. */
  layer: number;
  /**
   * The kind of block the module belongs to, e.g. 'encoder.self_attn', 'decoder.self_attn', 'decoder.cross_attn',
   * 'decoder.ffn' (T5); 'self_attn', 'mlp' (Llama family); 'attn', 'mlp' (GPT-2); the path between layer index
   * and module name for the generic fallback.
   */
  block: string;
}

/** Named module-name conventions. */
export type LayoutPresetName = 't5' | 'llama' | 'gpt2' | 'generic';
