import * as tf from '@tensorflow/tfjs';
import type { TaskTextEncoder } from './text-encoder';

/** Options of {@link HashingTextEncoder}. */
export interface HashingTextEncoderOptions {
  /** Output dimension D. @default 1024 */
  dim?: number;
  /** Character n-gram sizes taken inside each word (with boundary marks). @default [3, 4] */
  charNgrams?: number[];
}

/** FNV-1a, 32 bit: a fixed, platform-independent hash so embeddings are identical everywhere. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function features(text: string, charNgrams: number[]): string[] {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const out: string[] = [];
  words.forEach((w, i) => {
    out.push(`w:${w}`);
    if (i > 0) out.push(`b:${words[i - 1]} ${w}`);
    const marked = `<${w}>`;
    for (const n of charNgrams) for (let j = 0; j + n <= marked.length; j++) out.push(`c:${marked.slice(j, j + n)}`);
  });
  return out;
}

/**
 * The offline default text encoder: word uni- and bi-grams and character n-grams hashed into D dimensions, each
 * count c weighted 1 + ln c (sub-linear term frequency), with a hashed sign so collisions cancel on average,
 * and the row L2-normalised. Deterministic, no weights, no download. Texts sharing words land close together.
 */
export class HashingTextEncoder implements TaskTextEncoder {
  readonly dim: number;
  private readonly charNgrams: number[];

  constructor(opts: HashingTextEncoderOptions = {}) {
    this.dim = opts.dim ?? 1024;
    this.charNgrams = opts.charNgrams ?? [3, 4];
  }

  /** The embedding of one text as plain numbers. */
  vector(text: string): Float32Array {
    const counts = new Map<string, number>();
    for (const f of features(text, this.charNgrams)) counts.set(f, (counts.get(f) ?? 0) + 1);
    const v = new Float32Array(this.dim);
    for (const [f, c] of counts) {
      const h = fnv1a(f);
      const sign = (h & 0x80000000) === 0 ? 1 : -1;
      v[(h & 0x7fffffff) % this.dim] += sign * (1 + Math.log(c));
    }
    let norm = 0;
    for (const x of v) norm += x * x;
    norm = Math.sqrt(norm);
    if (norm > 0) for (let i = 0; i < v.length; i++) v[i] /= norm;
    return v;
  }

  async embed(texts: string[]): Promise<tf.Tensor2D> {
    const data = new Float32Array(texts.length * this.dim);
    texts.forEach((t, i) => data.set(this.vector(t), i * this.dim));
    return tf.tensor2d(data, [texts.length, this.dim]);
  }
}
