// A small seeded PRNG in plain JS, so that one seed gives the same noise on every tfjs backend
// (tf.randomNormal's seed handling is backend-specific).

const TWO_POW_32 = 4294967296;
// Module-level bindings: global lookups of `Math` are slow inside vm contexts (jest) and this loop is hot.
const { imul, log, sqrt, cos, sin, PI } = Math;

/**
 * Seeded generator of uniform and standard-normal numbers: xoshiro128** (Blackman & Vigna) seeded through
 * splitmix32, normals by the Box-Muller transform (both of each pair are used).
 */
export class GaussianRng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /** @param seed any integer; equal seeds give equal streams. */
  constructor(seed: number) {
    const state: number[] = [];
    let x = seed >>> 0;
    for (let i = 0; i < 4; i++) {
      // splitmix32 spreads one 32-bit seed over the 128-bit state (never all zero).
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      state.push((z ^ (z >>> 16)) >>> 0);
    }
    [this.s0, this.s1, this.s2, this.s3] = state as [number, number, number, number];
  }

  /** Next uniform integer in [0, 2^32). */
  nextUint32(): number {
    const result = imul(rotl(imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Next uniform number in (0, 1): never 0, so log(u) is finite. */
  uniform(): number {
    return (this.nextUint32() + 0.5) / TWO_POW_32;
  }

  /** `count` standard-normal numbers (the sampler's hot loop: one call per step). */
  normals(count: number): Float32Array {
    const out = new Float32Array(count);
    for (let i = 0; i < count; i += 2) {
      const radius = sqrt(-2 * log(this.uniform()));
      const angle = 2 * PI * this.uniform();
      out[i] = radius * cos(angle);
      if (i + 1 < count) out[i + 1] = radius * sin(angle);
    }
    return out;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
