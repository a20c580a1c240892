import * as tf from '@tensorflow/tfjs';
import { TextEncoderError } from '../errors';
import { describeNonFinite, findNonFinite } from '../data/finite';
import type { TaskTextEncoder } from './text-encoder';

/** Options of {@link HashingTextEncoder}. */
export interface HashingTextEncoderOptions {
  /** Output dimension D. @default 1024 */
  dim?: number;
  /** Character n-gram sizes taken inside each word (with boundary marks). @default [3, 4] */
  charNgrams?: number[];
  /**
   * A mean embedding to subtract (see {@link HashingTextEncoder.centeredOn}); the centred row is then rescaled to
   * unit RMS per entry. Saved with a model, so `LoraGen.load` rebuilds the same encoder. @default none
   */
  center?: ArrayLike<number>;
  /**
   * Inverse document frequency of each feature in a library's descriptions (see `centeredOn`'s `idf` option):
   * a feature weighs its IDF, so words every task uses fade and the words that tell tasks apart carry the
   * embedding; a feature the library never uses weighs nothing, since no training description tells what it
   * means. Saved with a model. @default none (every feature weighs 1)
   */
  idf?: Record<string, number>;
  /**
   * Read number words zero to nine (and their plurals, "threes") as the numerals 0 to 9, so "no three" and
   * "no 3" share their features. Descriptions that name a digit either way then embed alike. Saved with a model.
   * @default false
   */
  numberWords?: boolean;
}

/** Options of {@link HashingTextEncoder.centeredOn}. */
export interface CenteredOptions extends Omit<HashingTextEncoderOptions, 'center' | 'idf'> {
  /** Also weigh features by their inverse document frequency in `descriptions`. @default false */
  idf?: boolean;
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

const NUMBER_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
const NUMBER_WORD = /^(zero|one|two|three|four|five|six|seven|eight|nine)(s|es)?$/;

/** A lower-cased word, or its numeral when number words are read as numerals. */
function normalised(word: string, numberWords: boolean): string {
  const match = numberWords ? NUMBER_WORD.exec(word) : null;
  return match ? String(NUMBER_WORDS.indexOf(match[1])) : word;
}

function features(text: string, charNgrams: number[], numberWords = false): string[] {
  const words = (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).map((w) => normalised(w, numberWords));
  const out: string[] = [];
  words.forEach((w, i) => {
    out.push(`w:${w}`);
    if (i > 0) out.push(`b:${words[i - 1]} ${w}`);
    const marked = `<${w}>`;
    for (const n of charNgrams) for (let j = 0; j + n <= marked.length; j++) out.push(`c:${marked.slice(j, j + n)}`);
  });
  return out;
}

/** Smoothed IDF, ln((1 + n) / (1 + df)) + 1, of every feature of `descriptions` (n of them). */
function inverseDocumentFrequencies(descriptions: readonly string[], charNgrams: number[], numberWords: boolean): Record<string, number> {
  const df = new Map<string, number>();
  for (const d of descriptions) for (const f of new Set(features(d, charNgrams, numberWords))) df.set(f, (df.get(f) ?? 0) + 1);
  const n = descriptions.length;
  return Object.fromEntries([...df].sort(([a], [b]) => (a < b ? -1 : 1)).map(([f, k]) => [f, Math.log((1 + n) / (1 + k)) + 1]));
}

/**
 * The offline default text encoder: word uni- and bi-grams and character n-grams hashed into D dimensions, each
 * count c weighted 1 + ln c (sub-linear term frequency), with a hashed sign so collisions cancel on average,
 * and the row L2-normalised. Deterministic, no weights, no download. Texts sharing words land close together.
 */
export class HashingTextEncoder implements TaskTextEncoder {
  readonly dim: number;
  readonly charNgrams: number[];
  readonly center?: Float32Array;
  readonly idf?: ReadonlyMap<string, number>;
  readonly numberWords: boolean;

  constructor(opts: HashingTextEncoderOptions = {}) {
    this.dim = opts.dim ?? 1024;
    this.charNgrams = opts.charNgrams ?? [3, 4];
    this.numberWords = opts.numberWords ?? false;
    if (typeof this.numberWords !== 'boolean')
      throw new TextEncoderError(`numberWords must be true or false (got ${String(opts.numberWords)})`, 'pass a boolean');
    const refit = 'fit it with HashingTextEncoder.centeredOn (a saved model holds it in config.json: retrain if that file was edited)';
    if (opts.idf !== undefined) {
      const bad = Object.entries(opts.idf).find(([, w]) => typeof w !== 'number' || !Number.isFinite(w));
      if (bad) throw new TextEncoderError(`idf weight of feature '${bad[0]}' is ${bad[1]}, not a finite number`, refit);
      this.idf = new Map(Object.entries(opts.idf));
    }
    if (opts.center !== undefined) {
      if (opts.center.length !== this.dim) {
        throw new TextEncoderError(`center has length ${opts.center.length}, the encoder's dim is ${this.dim}`, refit);
      }
      this.center = Float32Array.from(opts.center);
      const bad = findNonFinite(this.center);
      if (bad) throw new TextEncoderError(`center holds ${describeNonFinite(bad, [this.dim])}`, refit);
    }
  }

  /**
   * An encoder centred on a library's descriptions. Task descriptions share most of their words, so raw hashed
   * embeddings of different tasks have cosines near 0.9 and a condition built from them barely varies; subtracting
   * the library's mean keeps what tells tasks apart.
   */
  static centeredOn(descriptions: readonly string[], opts: CenteredOptions = {}): HashingTextEncoder {
    if (descriptions.length === 0)
      throw new TextEncoderError('centeredOn needs at least one description', 'pass every description of the training library');
    const { idf: weigh, ...base } = opts;
    const idf = weigh ? inverseDocumentFrequencies(descriptions, base.charNgrams ?? [3, 4], base.numberWords ?? false) : undefined;
    const raw = new HashingTextEncoder({ ...base, idf });
    const mean = new Float64Array(raw.dim);
    for (const d of descriptions) raw.vector(d).forEach((x, i) => (mean[i] += x / descriptions.length));
    return new HashingTextEncoder({ ...base, idf, center: mean });
  }

  /** The options that rebuild this encoder exactly (what a saved model stores). */
  get options(): HashingTextEncoderOptions {
    return {
      dim: this.dim,
      charNgrams: [...this.charNgrams],
      ...(this.numberWords ? { numberWords: true } : {}),
      ...(this.center ? { center: Array.from(this.center) } : {}),
      ...(this.idf ? { idf: Object.fromEntries(this.idf) } : {}),
    };
  }

  /** The embedding of one text as plain numbers. */
  vector(text: string): Float32Array {
    const counts = new Map<string, number>();
    for (const f of features(text, this.charNgrams, this.numberWords)) counts.set(f, (counts.get(f) ?? 0) + 1);
    const v = new Float32Array(this.dim);
    for (const [f, c] of counts) {
      const weight = this.idf ? (this.idf.get(f) ?? 0) : 1;
      if (weight === 0) continue;
      const h = fnv1a(f);
      const sign = (h & 0x80000000) === 0 ? 1 : -1;
      v[(h & 0x7fffffff) % this.dim] += sign * (1 + Math.log(c)) * weight;
    }
    let norm = 0;
    for (const x of v) norm += x * x;
    norm = Math.sqrt(norm);
    if (norm > 0) for (let i = 0; i < v.length; i++) v[i] /= norm;
    return this.center ? this.centred(v) : v;
  }

  /** sqrt(dim) * (v - center) / |v - center|: unit RMS per entry. */
  private centred(v: Float32Array): Float32Array {
    let norm = 0;
    for (let i = 0; i < v.length; i++) {
      v[i] -= this.center![i];
      norm += v[i] * v[i];
    }
    const scale = Math.sqrt(this.dim) / Math.max(Math.sqrt(norm), 1e-12);
    for (let i = 0; i < v.length; i++) v[i] *= scale;
    return v;
  }

  async embed(texts: string[]): Promise<tf.Tensor2D> {
    const data = new Float32Array(texts.length * this.dim);
    texts.forEach((t, i) => data.set(this.vector(t), i * this.dim));
    return tf.tensor2d(data, [texts.length, this.dim]);
  }
}
