import { LatentDiffusionError, SeededRng, type SeededRngState } from '@loragen/latent-diffusion';
import { CheckpointError } from '../errors';

/**
 * The recipe of every random draw of training (initialisation, batches, diffusion noise, condition dropout): the
 * one @loragen/core has always used, so that runs and checkpoints from before latent-diffusion's SeededRng became
 * the only generator continue bit for bit.
 */
export const TRAINING_RNG_ALGORITHM = 'xoshiro128**-cosine';

/** A generator for training draws from `seed`; a run is reproducible from its seed and resumable from its state. */
export function trainingRng(seed: number): SeededRng {
  return new SeededRng(seed, { algorithm: TRAINING_RNG_ALGORITHM });
}

/**
 * Restores the generator state of a checkpoint's `training.json` into `rng`: SeededRng's JSON state, or the four
 * bare words that checkpoints written before 2026-12-06 hold.
 * @throws CheckpointError for anything else.
 */
export function restoreTrainingRng(rng: SeededRng, saved: unknown, where: string): void {
  const state: SeededRngState = Array.isArray(saved) ? { algorithm: TRAINING_RNG_ALGORITHM, words: saved as number[] } : (saved as SeededRngState);
  try {
    rng.setState(state);
  } catch (err) {
    if (err instanceof LatentDiffusionError) {
      throw new CheckpointError(
        `${where}: the random generator's state is unusable: ${err.message}`,
        'delete the checkpoint folder and train from scratch',
      );
    }
    throw err;
  }
}
