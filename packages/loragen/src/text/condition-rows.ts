// What generation is conditioned on, turned into embedding rows (LoraGen and the Text-to-LoRA baseline), and the
// error for an embedding that is not finite (also raised while training).
import { TextEncoderError } from '../errors';
import { assertFiniteRows } from '../data/finite';
import type { TaskTextEncoder } from './text-encoder';

/** The text encoder gave NaN or Infinity for the description the message names. */
export function nonFiniteEmbedding(message: string): TextEncoderError {
  return new TextEncoderError(
    `the text encoder's embedding of ${message}`,
    "check the text encoder: its saved options (center, idf) in the model, or your own encoder's output",
  );
}

/** What generation is conditioned on: a description, a precomputed condition vector, or a list of either. */
export type Conditioning = string | ArrayLike<number> | readonly string[] | readonly ArrayLike<number>[];

/** A list of descriptions (or vectors), as opposed to one description or one vector (a typed array or numbers). */
export function isBatch(c: Conditioning): c is readonly string[] | readonly ArrayLike<number>[] {
  return Array.isArray(c) && c.length > 0 && typeof c[0] !== 'number';
}

/** The items of a conditioning, one per adapter to make (a single description or vector is a list of one). */
export function conditioningItems(c: Conditioning): readonly (string | ArrayLike<number>)[] {
  return isBatch(c) ? c : [c];
}

/**
 * One row per item: a description's embedding, or a given vector (checked against the encoder's width).
 * @throws TextEncoderError for no items, a vector of the wrong length, or a non-finite row.
 */
export async function conditionRows(description: Conditioning, encoder: TaskTextEncoder): Promise<number[][]> {
  const items = conditioningItems(description);
  if (items.length === 0) throw new TextEncoderError('no description was given', 'pass a description, or a non-empty list of them');
  const texts = items.filter((d): d is string => typeof d === 'string');
  const embedded: number[][] = [];
  if (texts.length > 0) {
    const table = await encoder.embed(texts);
    embedded.push(...((await table.array()) as number[][]));
    table.dispose();
  }
  const rows = items.map((d) => {
    if (typeof d === 'string') return embedded.shift()!;
    if (d.length !== encoder.dim) {
      throw new TextEncoderError(
        `a condition vector has length ${d.length}, the model's text encoder gives ${encoder.dim}`,
        'embed the description with the same encoder the model was trained with',
      );
    }
    return Array.from(d);
  });
  const labels = items.map((d, i) => (typeof d === 'string' ? `description "${d}"` : `condition vector ${i}`));
  assertFiniteRows(rows.flat(), encoder.dim, labels, nonFiniteEmbedding);
  return rows;
}
