// A small seeded PRNG so that the same seed gives the same decoder on every backend and machine
// (tf.randomNormal's seeding differs between backends).

/** mulberry32: a 32-bit state generator with a full 2^32 period, uniform in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` draws of N(0, std^2) by the Box-Muller transform. */
export function gaussianArray(n: number, std: number, uniform: () => number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const u1 = 1 - uniform(); // in (0, 1]: log stays finite
    const radius = std * Math.sqrt(-2 * Math.log(u1));
    const angle = 2 * Math.PI * uniform();
    out[i] = radius * Math.cos(angle);
    if (i + 1 < n) out[i + 1] = radius * Math.sin(angle);
  }
  return out;
}
