// Training budgets of the compact LoRAGen: the demo's (<= 10 min on 2 cores with the build), the benchmark's
// and the reduced one of the test suite.

/** `npm run demo`. */
export const DEMO_SCALE = { autoencoderSteps: 1000, diffusionSteps: 800 };

/** `npm run bench:paper` (12 trainings: 4 variants x 3 seeds), half the demo's budget so the table fits in about half an hour here. */
export const BENCH_SCALE = { autoencoderSteps: 500, diffusionSteps: 400 };

/** The reduced benchmark in the test suite (one training on ten tasks, < 3 minutes with evaluation). */
export const CI_SCALE = { autoencoderSteps: 600, diffusionSteps: 600 };
