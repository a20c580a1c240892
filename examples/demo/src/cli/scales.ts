// Training budgets of the compact LoRAGen: the demo's (<= 10 min on 2 cores with the build) and the benchmark's.

/** `npm run demo`. */
export const DEMO_SCALE = { autoencoderSteps: 600, diffusionSteps: 1500 };

/** `npm run bench:paper` (12 trainings: 4 variants x 3 seeds). */
export const BENCH_SCALE = { autoencoderSteps: 600, diffusionSteps: 1500 };

/** The reduced benchmark in the test suite (one training, < 3 minutes with evaluation). */
export const CI_SCALE = { autoencoderSteps: 300, diffusionSteps: 600 };
