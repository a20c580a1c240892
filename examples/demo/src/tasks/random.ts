// Seeded randomness for every generator in the demo, so the library and the benchmark rebuild bit for bit.

/** A seeded source of uniform numbers in [0, 1) (mulberry32: 32-bit state, fast, good enough for sampling). */
export interface Rng {
  next(): number;
  /** A uniform integer in [lo, hi] inclusive. */
  int(lo: number, hi: number): number;
  /** A standard normal draw (Box-Muller). */
  normal(): number;
}

/** Creates a generator from a 32-bit seed. */
export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    normal: () => {
      const u = 1 - next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
    },
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
