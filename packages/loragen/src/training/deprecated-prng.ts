import { SeededRng } from '@loragen/latent-diffusion';
import { TRAINING_RNG_ALGORITHM } from './training-rng';

/**
 * @deprecated Use {@link SeededRng} (re-exported from latent-diffusion): `trainingRng(seed)` or
 * `new SeededRng(seed, { algorithm: 'xoshiro128**-cosine' })` draws what `new Prng(seed)` drew. Its state is now
 * SeededRng's JSON object rather than four bare words. The name goes in a later release.
 */
export class Prng extends SeededRng {
  constructor(seed: number) {
    super(seed, { algorithm: TRAINING_RNG_ALGORITHM });
  }
}
