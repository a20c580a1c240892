import * as tf from '@tensorflow/tfjs';
import { optionalImport } from '../backend/optional-import';
import { TextEncoderError } from '../errors';
import type { TaskTextEncoder } from './text-encoder';

/** Options of {@link TransformersTextEncoder.create}. */
export interface TransformersTextEncoderOptions {
  /** A local model folder in the layout transformers.js reads (`config.json`, `tokenizer.json`, `onnx/model.onnx`). */
  modelDir: string;
  /** `'mean'`: attention-masked mean of the last hidden states (FLAN-T5 in the paper); `'cls'`: the first token (gte). @default 'mean' */
  pooling?: 'mean' | 'cls';
  /** L2-normalise each embedding. @default false */
  normalize?: boolean;
  /** ONNX weights precision to load. @default 'fp32' */
  dtype?: 'fp32' | 'fp16' | 'q8';
}

interface Extractor {
  (texts: string[], opts: { pooling: string; normalize: boolean }): Promise<{ data: Float32Array; dims: number[] }>;
  model: { config: { hidden_size?: number; d_model?: number } };
}
interface TransformersModule {
  env: { allowRemoteModels: boolean; allowLocalModels: boolean; localModelPath: string };
  pipeline(task: 'feature-extraction', model: string, opts: Record<string, unknown>): Promise<Extractor>;
}

function splitModelDir(modelDir: string): { parent: string; id: string } {
  const trimmed = modelDir.replace(/[\\/]+$/, '');
  const cut = Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\'));
  return { parent: cut >= 0 ? trimmed.slice(0, cut + 1) : './', id: trimmed.slice(cut + 1) };
}

/**
 * Sentence embeddings from a local transformers.js model (optional peer `@huggingface/transformers`). Never
 * downloads: remote models are switched off before loading.
 */
export class TransformersTextEncoder implements TaskTextEncoder {
  private constructor(
    readonly dim: number,
    private readonly extractor: Extractor,
    private readonly pooling: 'mean' | 'cls',
    private readonly normalize: boolean,
  ) {}

  /**
   * Loads the model folder.
   * @throws TextEncoderError when `@huggingface/transformers` is not installed or the model cannot be loaded.
   */
  static async create(opts: TransformersTextEncoderOptions): Promise<TransformersTextEncoder> {
    let hf: TransformersModule;
    try {
      hf = await optionalImport<TransformersModule>('@huggingface/transformers');
    } catch (err) {
      throw new TextEncoderError(
        `TransformersTextEncoder needs the optional package @huggingface/transformers: ${(err as Error).message.split('\n')[0]}`,
        'npm install @huggingface/transformers@4.3.1 (set ONNXRUNTIME_NODE_INSTALL=skip when offline), or use HashingTextEncoder',
      );
    }
    const { parent, id } = splitModelDir(opts.modelDir);
    hf.env.allowRemoteModels = false;
    hf.env.allowLocalModels = true;
    hf.env.localModelPath = parent;
    let extractor: Extractor;
    try {
      extractor = await hf.pipeline('feature-extraction', id, { dtype: opts.dtype ?? 'fp32', local_files_only: true });
    } catch (err) {
      throw new TextEncoderError(
        `TransformersTextEncoder could not load the model folder '${opts.modelDir}': ${(err as Error).message.split('\n')[0]}`,
        'point modelDir at a local folder with config.json, tokenizer.json and onnx/model.onnx (models are never downloaded)',
      );
    }
    const cfg = extractor.model.config;
    const dim = cfg.hidden_size ?? cfg.d_model;
    if (!dim) throw new TextEncoderError(`the model in '${opts.modelDir}' states no hidden_size or d_model`, 'use a BERT- or T5-style encoder');
    return new TransformersTextEncoder(dim, extractor, opts.pooling ?? 'mean', opts.normalize ?? false);
  }

  async embed(texts: string[]): Promise<tf.Tensor2D> {
    const out = await this.extractor(texts, { pooling: this.pooling, normalize: this.normalize });
    return tf.tensor2d(Float32Array.from(out.data), [texts.length, this.dim]);
  }
}
