import type { LatentNormalizerState } from '@loragen/latent-diffusion';
import { resolveConfig } from '../config/resolve-config';
import type { LoraGenConfig } from '../config/schema';
import type { LibraryLayout } from '../data/layout';
import { CheckpointError, ConfigError } from '../errors';
import { HashingTextEncoder, type HashingTextEncoderOptions } from '../text/hashing-encoder';
import type { TaskTextEncoder } from '../text/text-encoder';

/** What `config.json` of a saved model holds besides its weights. */
export interface ModelMeta {
  format: 'loragen-model';
  version: 1;
  config: LoraGenConfig;
  layout: LibraryLayout;
  /** Per module type: dW was divided by this for training. */
  normalisers: number[];
  /** Latents were mapped to (z - shift) / scale before diffusion; sampling applies the inverse. */
  latentNormalizer: LatentNormalizerState;
  /** `hashing` encoders are rebuilt on load from their options; any other must be passed to `LoraGen.load`. */
  textEncoder: { kind: 'hashing' | 'custom'; dim: number; options?: HashingTextEncoderOptions };
  /** Whether the decoder was the user's (then it must be passed to `LoraGen.load`). */
  decoder: 'builtin' | 'custom';
  /** Whether the denoiser was the user's (then it must be passed to `LoraGen.load`). */
  denoiser: 'builtin' | 'custom';
  /**
   * The training library's task names and descriptions, from which sampling rebuilds the task conditions it
   * anchors to (`sampling.anchoring`), and per task the cosine of dW between the adapter the fitted model generates
   * for the task's descriptions and the task's own (the confidence's `fidelity`). Absent in models saved before
   * they were kept (`fidelity` alone in models saved before it was).
   */
  library?: { taskNames: string[]; descriptions: string[][]; fidelity?: number[] };
}

export function describeTextEncoder(encoder: TaskTextEncoder): ModelMeta['textEncoder'] {
  if (encoder instanceof HashingTextEncoder) return { kind: 'hashing', dim: encoder.dim, options: encoder.options };
  return { kind: 'custom', dim: encoder.dim };
}

/** Parses and checks `config.json`. @throws CheckpointError when it is not a LoRAGen model's. */
export function parseModelMeta(bytes: Uint8Array | undefined, label: string): ModelMeta {
  const hint = 'point at a folder written by LoraGen.save or `loragen train`';
  if (!bytes) throw new CheckpointError(`${label} has no config.json`, hint);
  let meta: ModelMeta;
  try {
    meta = JSON.parse(new TextDecoder().decode(bytes)) as ModelMeta;
  } catch (err) {
    throw new CheckpointError(`${label}/config.json is not valid JSON: ${(err as Error).message}`, hint);
  }
  if (meta?.format !== 'loragen-model' || meta.version !== 1 || !meta.layout || !Array.isArray(meta.normalisers)) {
    throw new CheckpointError(`${label}/config.json is not a LoRAGen model description (format '${String(meta?.format)}')`, hint);
  }
  const lib = meta.library;
  const strings = (xs: unknown): boolean => Array.isArray(xs) && xs.every((x) => typeof x === 'string');
  if (
    lib !== undefined &&
    !(
      strings(lib?.taskNames) &&
      Array.isArray(lib.descriptions) &&
      lib.descriptions.length === lib.taskNames.length &&
      lib.descriptions.every((d) => strings(d) && d.length > 0)
    )
  ) {
    throw new CheckpointError(`${label}/config.json: 'library' must hold taskNames and, per task, a non-empty list of descriptions`, hint);
  }
  const fidelity = lib?.fidelity;
  if (
    fidelity !== undefined &&
    !(Array.isArray(fidelity) && fidelity.length === lib!.taskNames.length && fidelity.every((f) => typeof f === 'number' && Math.abs(f) <= 1 + 1e-6))
  ) {
    throw new CheckpointError(`${label}/config.json: 'library.fidelity' must hold one cosine in [-1, 1] per task`, hint);
  }
  try {
    meta.config = resolveConfig(meta.config);
  } catch (err) {
    if (err instanceof ConfigError) throw new CheckpointError(`${label}/config.json: ${err.message}`, hint);
    throw err;
  }
  return meta;
}

export function encodeModelMeta(meta: ModelMeta): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(meta, null, 1));
}
