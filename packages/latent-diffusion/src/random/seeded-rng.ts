// The one seeded random number generator of LoRAGen, in plain JS so that one seed gives the same numbers on every
// tfjs backend (tf.randomNormal's seed handling is backend-specific), with a JSON state so that a resumed training
// run draws exactly what an uninterrupted one would have.
import { LatentDiffusionError } from '../errors';

/**
 * How the numbers are made. Each name is a complete recipe (bit generator, uniform convention, normal transform),
 * so that streams written before the generators were merged stay the same bit for bit:
 * - `'xoshiro128**'` (default): xoshiro128** (Blackman & Vigna) seeded through splitmix32; `uniform()` in (0, 1) as
 *   (u + 0.5) / 2^32; normals by Box-Muller, both of each pair used. latent-diffusion's sampling noise and DiT init.
 * - `'xoshiro128**-cosine'`: the same 128-bit generator and seeding; `uniform()` in [0, 1) as u / 2^32; each normal
 *   from two uniforms, sqrt(-2 ln(1 - u1)) cos(2 pi u2). @loragen/core's training draws.
 * - `'mulberry32'`: mulberry32 (32-bit state); `uniform()` in [0, 1); normals by Box-Muller on (1 - u1, u2), both
 *   of each pair used. @loragen/core's moe-decoder initialisation.
 */
export type RngAlgorithm = 'xoshiro128**' | 'xoshiro128**-cosine' | 'mulberry32';

export const RNG_ALGORITHMS: readonly RngAlgorithm[] = ['xoshiro128**', 'xoshiro128**-cosine', 'mulberry32'];

export interface SeededRngOptions {
  /** @default 'xoshiro128**' */
  algorithm?: RngAlgorithm;
}

/** Everything a {@link SeededRng} needs to continue its stream; plain JSON. */
export interface SeededRngState {
  algorithm: RngAlgorithm;
  /** The generator's unsigned 32-bit state words: four for xoshiro128**, one for mulberry32. */
  words: number[];
}

const TWO_POW_32 = 4294967296;
// Module-level bindings: global lookups of `Math` are slow inside vm contexts (jest) and these loops are hot.
const { imul, log, sqrt, cos, sin, PI } = Math;

/**
 * A seeded generator of uniform integers, uniform reals and standard normals with a saveable state.
 * @example
 * const rng = new SeededRng(42);
 * const noise = rng.normals(1024);
 * const saved = JSON.stringify(rng.getState());
 * SeededRng.fromState(JSON.parse(saved)).normals(8); // continues where `rng` stands
 */
export class SeededRng {
  readonly algorithm: RngAlgorithm;
  private readonly mulberry: boolean;
  /** uniform() = (u + 0.5) / 2^32 (never 0) rather than u / 2^32. */
  private readonly centred: boolean;
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;

  /** @param seed any integer (taken modulo 2^32); equal seeds give equal streams. */
  constructor(seed: number, options: SeededRngOptions = {}) {
    const algorithm = options.algorithm ?? 'xoshiro128**';
    if (!RNG_ALGORITHMS.includes(algorithm)) {
      throw new LatentDiffusionError(
        `SeededRng: unknown algorithm '${String(algorithm)}'; use one of ${RNG_ALGORITHMS.map((a) => `'${a}'`).join(', ')}`,
      );
    }
    if (!Number.isFinite(seed)) throw new LatentDiffusionError(`SeededRng: the seed must be a finite number, got ${seed}`);
    this.algorithm = algorithm;
    this.mulberry = algorithm === 'mulberry32';
    this.centred = algorithm === 'xoshiro128**';
    if (this.mulberry) {
      this.s0 = seed >>> 0;
      return;
    }
    let x = seed >>> 0;
    const words: number[] = [];
    for (let i = 0; i < 4; i++) {
      // splitmix32 spreads one 32-bit seed over the 128-bit state; its finaliser is a bijection, so the four words
      // of four different inputs are never all zero.
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      words.push((z ^ (z >>> 16)) >>> 0);
    }
    [this.s0, this.s1, this.s2, this.s3] = words;
  }

  /** A generator that continues the stream `state` was taken from. @throws LatentDiffusionError for a bad state. */
  static fromState(state: SeededRngState): SeededRng {
    const rng = new SeededRng(0, { algorithm: checkAlgorithm(state) });
    rng.setState(state);
    return rng;
  }

  getState(): SeededRngState {
    const words = this.mulberry ? [this.s0 >>> 0] : [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0];
    return { algorithm: this.algorithm, words };
  }

  /** Continues from `state` (from {@link getState} of a generator of the same algorithm). @throws LatentDiffusionError */
  setState(state: SeededRngState): void {
    const algorithm = checkAlgorithm(state);
    if (algorithm !== this.algorithm) {
      throw new LatentDiffusionError(
        `SeededRng.setState: the state is of a '${algorithm}' generator, this one is '${this.algorithm}'; use SeededRng.fromState(state)`,
      );
    }
    const words = state.words;
    const count = this.mulberry ? 1 : 4;
    if (!Array.isArray(words) || words.length !== count || !words.every((w) => Number.isInteger(w) && w >= 0 && w < TWO_POW_32)) {
      throw new LatentDiffusionError(
        `SeededRng.setState: a '${algorithm}' state has ${count} unsigned 32-bit integer word${count > 1 ? 's' : ''}, got ${JSON.stringify(words)}`,
      );
    }
    if (!this.mulberry && words.every((w) => w === 0)) {
      throw new LatentDiffusionError('SeededRng.setState: an all-zero xoshiro128** state would only ever give zeros; pass a state from getState()');
    }
    [this.s0, this.s1 = 0, this.s2 = 0, this.s3 = 0] = words;
  }

  /** The next uniform integer in [0, 2^32). */
  nextUint32(): number {
    if (this.mulberry) {
      this.s0 = (this.s0 + 0x6d2b79f5) >>> 0;
      let t = this.s0;
      t = imul(t ^ (t >>> 15), t | 1);
      t ^= t + imul(t ^ (t >>> 7), t | 61);
      return (t ^ (t >>> 14)) >>> 0;
    }
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

  /** The next uniform number: in (0, 1) for 'xoshiro128**', in [0, 1) for the others (see {@link RngAlgorithm}). */
  uniform(): number {
    return this.centred ? (this.nextUint32() + 0.5) / TWO_POW_32 : this.nextUint32() / TWO_POW_32;
  }

  /** A uniform integer in [0, n): floor(uniform() n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** One standard normal: `normals(1)[0]`, so a pair algorithm spends a pair on it. */
  normal(): number {
    return Math.fround(this.normalFloat64());
  }

  /**
   * One standard normal in float64: the draw {@link normal} makes (the same uniforms, the cosine of the pair), not
   * rounded to float32. For streams that keep their normals in float64 (the demo's task and library generators).
   */
  normalFloat64(): number {
    const cosine = this.algorithm === 'xoshiro128**-cosine';
    const u = this.centred && !cosine ? this.uniform() : 1 - this.uniform(); // never 0: log stays finite
    return sqrt(-2 * log(u)) * cos(2 * PI * this.uniform());
  }

  /**
   * `count` draws of N(0, std^2) (the hot loop of sampling: one call per step). `std` scales the Box-Muller radius
   * before the float32 rounding, as the initialisers always did.
   */
  normals(count: number, std = 1): Float32Array {
    const out = new Float32Array(count);
    if (this.algorithm === 'xoshiro128**-cosine') {
      for (let i = 0; i < count; i++) {
        const u = 1 - this.uniform(); // (0, 1]: log stays finite
        out[i] = std * sqrt(-2 * log(u)) * cos(2 * PI * this.uniform());
      }
      return out;
    }
    for (let i = 0; i < count; i += 2) {
      const u = this.centred ? this.uniform() : 1 - this.uniform(); // never 0: log stays finite
      const radius = std * sqrt(-2 * log(u));
      const angle = 2 * PI * this.uniform();
      out[i] = radius * cos(angle);
      if (i + 1 < count) out[i + 1] = radius * sin(angle);
    }
    return out;
  }

  /** `count` draws uniform in [-limit, limit): (2 uniform() - 1) limit. */
  uniforms(count: number, limit: number): Float32Array {
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = (2 * this.uniform() - 1) * limit;
    return out;
  }
}

function checkAlgorithm(state: SeededRngState): RngAlgorithm {
  const algorithm = (state as Partial<SeededRngState> | null)?.algorithm;
  if (!RNG_ALGORITHMS.includes(algorithm as RngAlgorithm)) {
    throw new LatentDiffusionError(
      `SeededRng: a state names its algorithm (${RNG_ALGORITHMS.map((a) => `'${a}'`).join(', ')}), got ${JSON.stringify(algorithm)}; pass what getState() returned`,
    );
  }
  return algorithm as RngAlgorithm;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
