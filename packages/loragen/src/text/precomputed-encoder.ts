import * as tf from '@tensorflow/tfjs';
import { TextEncoderError } from '../errors';
import type { TaskTextEncoder } from './text-encoder';

/**
 * A table of description -> vector, so embeddings made elsewhere (FLAN-T5, gte-large, an API) can condition
 * LoRAGen. Every vector must have the same length.
 */
export class PrecomputedTextEncoder implements TaskTextEncoder {
  readonly dim: number;
  private readonly table: Map<string, Float32Array>;

  constructor(table: Record<string, ArrayLike<number>> | Map<string, ArrayLike<number>>) {
    const entries = table instanceof Map ? [...table.entries()] : Object.entries(table);
    if (entries.length === 0) {
      throw new TextEncoderError('PrecomputedTextEncoder got an empty table', 'pass at least one description -> vector entry');
    }
    this.dim = entries[0][1].length;
    this.table = new Map();
    for (const [text, vec] of entries) {
      if (vec.length !== this.dim) {
        throw new TextEncoderError(
          `PrecomputedTextEncoder: the vector of "${text}" has length ${vec.length}, the first one ${this.dim}`,
          'all vectors must come from the same embedding model',
        );
      }
      this.table.set(text, Float32Array.from(vec));
    }
  }

  async embed(texts: string[]): Promise<tf.Tensor2D> {
    const data = new Float32Array(texts.length * this.dim);
    texts.forEach((t, i) => {
      const v = this.table.get(t);
      if (!v) {
        throw new TextEncoderError(
          `PrecomputedTextEncoder has no vector for "${t}"`,
          'add the description to the table, or use HashingTextEncoder / TransformersTextEncoder for free text',
        );
      }
      data.set(v, i * this.dim);
    });
    return tf.tensor2d(data, [texts.length, this.dim]);
  }
}
