// Seeded test data. A package's tests may import only their own package and these helpers (the libraries do not
// depend on each other, not even in tests), so the seeded streams tests need come from here. They are the numbers
// of latent-diffusion's SeededRng with algorithm 'mulberry32' (latent-diffusion's seeded-rng.test.ts checks that),
// so a moe-decoder test seeded with n builds the decoder @loragen/core builds with a SeededRng(n, 'mulberry32').

/** Uniform numbers in [0, 1) from mulberry32. */
export function seededUniform(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A source of N(0, std^2) draws (Box-Muller pairs on {@link seededUniform}), e.g. moe-decoder's `random`. */
export function seededNormals(seed: number): { normals(count: number, std?: number): Float32Array } {
  const uniform = seededUniform(seed);
  return {
    normals(count: number, std = 1): Float32Array {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i += 2) {
        const radius = std * Math.sqrt(-2 * Math.log(1 - uniform()));
        const angle = 2 * Math.PI * uniform();
        out[i] = radius * Math.cos(angle);
        if (i + 1 < count) out[i + 1] = radius * Math.sin(angle);
      }
      return out;
    },
  };
}
