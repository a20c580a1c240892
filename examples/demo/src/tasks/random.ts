// Seeded randomness for every generator in the demo, so the library and the benchmark rebuild bit for bit: core's
// SeededRng with its 'mulberry32' algorithm, normals kept in float64.
import { SeededRng } from '@loragen/core';

/** A seeded source of uniform numbers in [0, 1). */
export interface Rng {
  next(): number;
  /** A uniform integer in [lo, hi] inclusive. */
  int(lo: number, hi: number): number;
  /** A standard normal draw (Box-Muller, the cosine of each pair), in float64. */
  normal(): number;
}

/** Creates a generator from a 32-bit seed. */
export function createRng(seed: number): Rng {
  const rng = new SeededRng(seed, { algorithm: 'mulberry32' });
  return {
    next: () => rng.uniform(),
    int: (lo, hi) => lo + rng.int(hi - lo + 1),
    normal: () => rng.normalFloat64(),
  };
}

/** Derives a 32-bit seed from a label and a number (FNV-1a), so each task and split gets its own stream. */
export function deriveSeed(label: string, seed: number): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
