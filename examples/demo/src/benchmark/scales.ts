// Training budgets of the compact LoRAGen: the demo's (<= 10 min on 2 cores with the build), the benchmark's
// and the reduced one of the test suite.

/**
 * `npm run demo`: about 7 minutes of training on one core here for `skills` (33 ms per autoencoder step at its 192-wide
 * MLPs, 21 ms per diffusion step). Diffusion went from 5000 to 8000 steps once its step cost halved (2026-12-07).
 */
export const DEMO_SCALE = { autoencoderSteps: 8000, diffusionSteps: 8000 };

/** `npm run bench:paper` (12 trainings: 4 variants x 3 seeds), at the demo's budget so the two tell the same story. */
export const BENCH_SCALE = DEMO_SCALE;

/** The reduced benchmark in the test suite (one training on ten tasks, about 2 minutes with evaluation here). */
export const CI_SCALE = { autoencoderSteps: 2000, diffusionSteps: 1500 };
