import { trainingRng } from '../training/training-rng';

/** Options of {@link withWordDropoutVariants}, from `diffusion.descriptionVariants`. */
export interface DescriptionVariantOptions {
  /** Variants made from each description. */
  count: number;
  /** Probability of dropping each word of a description in a variant. */
  wordDropout: number;
}

/** Offset of the variants' PRNG seed from the model seed, so drawing them never moves the training draws. */
const VARIANT_SEED_OFFSET = 0x5eed;

/**
 * Each task's descriptions followed by `count` variants of each, every variant the description with each word
 * dropped with probability `wordDropout` (at least one word kept). A user's own wording shares only some of a
 * task's words with the library; conditions made from partial descriptions show the denoiser such conditions during
 * training, so it maps them to the task instead of to a blend of tasks. Deterministic for a seed.
 */
export function withWordDropoutVariants(descriptions: string[][], options: DescriptionVariantOptions, seed: number): string[][] {
  if (options.count === 0) return descriptions;
  const rng = trainingRng(seed + VARIANT_SEED_OFFSET);
  return descriptions.map((task) => [
    ...task,
    ...task.flatMap((text) =>
      Array.from({ length: options.count }, () => {
        const words = text.split(/\s+/).filter(Boolean);
        const kept = words.filter(() => rng.uniform() >= options.wordDropout);
        return kept.length > 0 ? kept.join(' ') : words[rng.int(words.length)];
      }),
    ),
  ]);
}
