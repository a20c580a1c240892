import type { Prng } from '../rng/prng';

/** `size` distinct indices in [0, n), drawn by a partial Fisher-Yates shuffle (size is capped at n). */
export function drawBatch(rng: Prng, n: number, size: number): number[] {
  const idx = Array.from({ length: n }, (_, i) => i);
  const k = Math.min(size, n);
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(n - i);
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return idx.slice(0, k);
}

/** Rows `indices` of a row-major array whose rows have `rowLength` elements. */
export function gatherRows(data: Float32Array, rowLength: number, indices: number[]): Float32Array {
  const out = new Float32Array(indices.length * rowLength);
  indices.forEach((r, i) => out.set(data.subarray(r * rowLength, (r + 1) * rowLength), i * rowLength));
  return out;
}

/** `size` indices drawn uniformly from [0, n) with replacement (batches may exceed a small library). */
export function drawWithReplacement(rng: Prng, n: number, size: number): number[] {
  return Array.from({ length: size }, () => rng.int(n));
}
