import type { SeededRng } from '@loragen/latent-diffusion';

/** `size` distinct indices in [0, n), drawn by a partial Fisher-Yates shuffle (size is capped at n). */
export function drawBatch(rng: SeededRng, n: number, size: number): number[] {
  const idx = Array.from({ length: n }, (_, i) => i);
  const k = Math.min(size, n);
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(n - i);
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return idx.slice(0, k);
}

/** Rows `indices` of a row-major array whose rows have `rowLength` elements. */
export function gatherRows(data: Float32Array, rowLength: number, indices: readonly number[]): Float32Array {
  const out = new Float32Array(indices.length * rowLength);
  indices.forEach((r, i) => out.set(data.subarray(r * rowLength, (r + 1) * rowLength), i * rowLength));
  return out;
}

/** `size` indices drawn uniformly from [0, n) with replacement (batches may exceed a small library). */
export function drawWithReplacement(rng: SeededRng, n: number, size: number): number[] {
  return Array.from({ length: size }, () => rng.int(n));
}

/**
 * A batch from a training set of `library` tasks followed by `extra` synthetic ones: a `libraryShare` of `size`
 * (rounded) drawn by `draw` among the library's tasks, the rest among the synthetic ones (indices after the
 * library's). Without synthetic tasks this is `draw(rng, library, size)`, the same draws as before they existed.
 */
export function drawSplitBatch(
  rng: SeededRng,
  split: { library: number; extra: number; libraryShare: number },
  size: number,
  draw: (rng: SeededRng, n: number, size: number) => number[],
): number[] {
  if (split.extra === 0) return draw(rng, split.library, size);
  const fromLibrary = Math.round(size * split.libraryShare);
  return [...draw(rng, split.library, fromLibrary), ...draw(rng, split.extra, size - fromLibrary).map((i) => split.library + i)];
}
