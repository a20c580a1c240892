// Training budgets of the compact LoRAGen: the demo's (<= 10 min on 2 cores with the build), the benchmark's
// and the reduced one of the test suite.

/** `npm run demo`. */
export const DEMO_SCALE = { autoencoderSteps: 1000, diffusionSteps: 800 };

/**
 * `npm run bench:paper` (12 trainings: 4 variants x 3 seeds). At 500 / 400 steps LoRAGen stayed at the base model's
 * level; at this budget it reaches 62% in-distribution (15 minutes here with `--jobs 2`).
 */
export const BENCH_SCALE = { autoencoderSteps: 1500, diffusionSteps: 1000 };

/** The reduced benchmark in the test suite (one training on ten tasks, < 3 minutes with evaluation). */
export const CI_SCALE = { autoencoderSteps: 600, diffusionSteps: 600 };
