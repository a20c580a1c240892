import type { LossWeighting } from '@loragen/latent-diffusion';
import { z } from 'zod';

// Defaults are the reference values of the LoRAGen paper and its official code unless a comment says why not:
// Huang et al., "LoRAGen: Structure-Aware Weight Space Learning for LoRA Generation", ICLR 2026,
// https://openreview.net/forum?id=mrafO7aTYj, code https://github.com/tsinghua-fib-lab/LoRAGen.

const positiveInt = z.number().int().positive();
/** How `diffusion.lossWeighting` spelled 'snr-ratio' until 2026-12-06. */
const LEGACY_SNR_RATIO = 'snr/(snr+1)' as const;
const unitInterval = z.number().min(0).max(1);

const lossWeights = z
  .object({
    /** Weight of the angular loss on dW. @default 1 */
    angular: z.number().nonnegative().default(1),
    /** Weight of the spectral loss on dW. @default 2 */
    spectral: z.number().nonnegative().default(2),
    /** Weight of the KL term (summed over positions x latent dims). @default 1e-6 */
    kl: z.number().nonnegative().default(1e-6),
    /** Weight of the MoE load-balancing loss, reached after `balanceWarmupSteps`. @default 1e-5 */
    balance: z.number().nonnegative().default(1e-5),
    /** Steps over which the balance weight rises linearly from 0. @default 1000 */
    balanceWarmupSteps: z.number().int().nonnegative().default(1000),
    /** Spectral loss: k is the smallest count whose cumulative sigma^2 reaches this share. @default 0.85 */
    energyRatio: z.number().gt(0).max(1).default(0.85),
    /** Spectral loss: the p of the weighted p-norm. @default 1 */
    p: z.number().gte(1).default(1),
  })
  .strict()
  .default({});

/**
 * How the learning rate moves over a stage: a linear warm-up, then held (the paper) or decayed along a half
 * cosine, which lets a small library's reconstruction settle instead of hovering at the noise level of a
 * constant step.
 */
const learningRateSchedule = z
  .object({
    /** Steps of linear warm-up from 0 to the learning rate. @default 0 */
    warmupSteps: z.number().int().nonnegative().default(0),
    /** `'constant'` after the warm-up (the paper), or `'cosine'` decay to `minFactor` x the rate. @default 'constant' */
    decay: z.enum(['constant', 'cosine']).default('constant'),
    /** Final rate of the cosine decay, as a share of the learning rate. @default 0.05 */
    minFactor: unitInterval.default(0.05),
  })
  .strict()
  .default({});

/**
 * The Adam fields of a training stage, with that stage's defaults: `autoencoder` (learning rate 1.1e-3, betas 0.5 and
 * 0.9) and `diffusion` (8e-5, betas 0.9 and 0.99) each spread them into their schema.
 */
function adamFields(defaults: { learningRate: number; beta1: number; beta2: number }) {
  return {
    /** Adam learning rate. @default 1.1e-3 (autoencoder), 8e-5 (diffusion) */
    learningRate: z.number().positive().default(defaults.learningRate),
    /** Warm-up and decay of the learning rate. @default constant (the paper) */
    learningRateSchedule,
    /** Adam beta1. @default 0.5 (autoencoder), 0.9 (diffusion) */
    beta1: unitInterval.default(defaults.beta1),
    /** Adam beta2. @default 0.9 (autoencoder), 0.99 (diffusion) */
    beta2: unitInterval.default(defaults.beta2),
  };
}

const temperature = z.union([
  z.number().positive(),
  z.object({ start: z.number().positive(), end: z.number().positive(), steps: positiveInt }).strict(),
]);

const autoencoder = z
  .object({
    /** Latent size per position. @default 64 */
    latentDim: positiveInt.default(64),
    /** Hidden width of the per-module-type encoder MLPs. @default 128 */
    encoderHidden: positiveInt.default(128),
    /** `'deltaW'`: losses on dW (the paper); `'factors'`: element-wise A/B MSE (the D2NWG / T2L baseline). @default 'deltaW' */
    supervision: z.enum(['deltaW', 'factors']).default('deltaW'),
    /** The decoder; ignored when a custom `LoraDecoder` is passed to `fit`. @default 'moe' */
    decoder: z.enum(['moe', 'shared-mlp']).default('moe'),
    /** MoE experts. @default 4 */
    numExperts: positiveInt.default(4),
    /** Experts kept per position; 2 lets the reconstruction loss train the router. @default 2 */
    topK: positiveInt.default(2),
    /** Router temperature, fixed or annealed. @default { start: 1.5, end: 1.2, steps: 2000 } */
    temperature: temperature.default({ start: 1.5, end: 1.2, steps: 2000 }),
    /** Hidden width of each expert. @default 256 */
    expertHidden: positiveInt.default(256),
    /**
     * MoE output heads: `'direct'` maps the expert output straight to r (dIn + dOut) values (the reference; large for
     * big modules), `'factorised'` through `headRank` learned bases per module type. @default 'direct'
     */
    head: z.enum(['direct', 'factorised']).default('direct'),
    /** Basis size of the factorised heads. @default 32 */
    headRank: positiveInt.default(32),
    /** Training steps (0 skips the stage: an untrained model, for benchmarks and smoke tests). @default 4000 */
    steps: z.number().int().nonnegative().default(4000),
    /** Adapters per step (capped at the library size). @default 32 */
    batchSize: positiveInt.default(32),
    ...adamFields({ learningRate: 1.1e-3, beta1: 0.5, beta2: 0.9 }),
    /**
     * Decay of an exponential moving average of the autoencoder's weights, which replace the trained ones when stage
     * 1 ends (not in the paper, whose autoencoder keeps its last step's weights). Warmed up as stage 2's: update n uses
     * min(decay, (1 + n) / (10 + n)), so over S steps every decay above about 1 - 9 / S gives the same average, of
     * roughly the last ninth of the run. @default 0 (off)
     */
    emaDecay: unitInterval.default(0),
    loss: lossWeights,
  })
  .strict()
  .default({});

const diffusion = z
  .object({
    /** Diffusion timesteps T. @default 500 */
    timesteps: positiveInt.default(500),
    /** Noise schedule. @default 'linear' */
    schedule: z.enum(['linear', 'cosine', 'scaled-linear']).default('linear'),
    /** @default 1e-5 */
    betaStart: z.number().positive().default(1e-5),
    /** @default 0.02 */
    betaEnd: z.number().positive().default(2e-2),
    /** Denoiser transformer blocks. @default 4 */
    depth: positiveInt.default(4),
    /** Denoiser width. @default 64 */
    width: positiveInt.default(64),
    /** Attention heads (must divide width). @default 8 */
    heads: positiveInt.default(8),
    /** Training steps (0 skips the stage). @default 10000 */
    steps: z.number().int().nonnegative().default(10000),
    /** Latent sets per step, drawn with replacement (so it may exceed the library size). @default 64 */
    batchSize: positiveInt.default(64),
    ...adamFields({ learningRate: 8e-5, beta1: 0.9, beta2: 0.99 }),
    /**
     * How latents are normalised before diffusion (and restored after sampling): the reference's `'max-abs'`
     * (divide by max |z|), or `'standardize'` (zero mean, unit variance, which trains small libraries much better).
     * @default 'max-abs'
     */
    latentScaling: z.enum(['max-abs', 'standardize']).default('max-abs'),
    /**
     * Weight of each sample's v-prediction error, latent-diffusion's `LossWeighting`: the reference's `'snr-ratio'`,
     * snr / (snr + 1) (= abar_t); `'min-snr'`, min(snr, minSnrGamma) / (snr + 1) (Min-SNR-gamma); or `'uniform'`.
     * `'snr/(snr+1)'`, this field's former spelling of `'snr-ratio'`, is still read (configs and saved models).
     * @default 'snr-ratio'
     */
    lossWeighting: z
      .enum(['snr-ratio', 'min-snr', 'uniform', LEGACY_SNR_RATIO])
      .default('snr-ratio')
      .transform((w): LossWeighting => (w === LEGACY_SNR_RATIO ? 'snr-ratio' : w)),
    /** gamma of the `'min-snr'` weighting. @default 5 */
    minSnrGamma: z.number().positive().default(5),
    /** EMA decay of the denoiser weights used for sampling. @default 0.995 */
    emaDecay: unitInterval.default(0.995),
    /**
     * What each training latent is conditioned on: the mean embedding of its task's descriptions (the paper),
     * one of its descriptions drawn at random (what `generate` is called with: a single description), or either
     * with equal odds.
     * @default 'task-mean'
     */
    conditioning: z.enum(['task-mean', 'one-description', 'mixed']).default('task-mean'),
    /**
     * With 'mixed' conditioning, the probability that a training latent is conditioned on its task mean (otherwise
     * on one of its descriptions). Higher keeps more of the denoiser's precision at the task means, which is where a
     * library task named in plain words samples (with anchoring's `snap`); lower teaches it more of the single
     * descriptions a new task is named by. Ignored by the other modes. @default 0.5
     */
    taskMeanShare: unitInterval.default(0.5),
    /**
     * With 'one-description' or 'mixed' conditioning, also draw from `count` variants of each description that
     * drop each word with probability `wordDropout`, so partial wordings train the denoiser too. Embedded once,
     * before training. @default { count: 0, wordDropout: 0.3 } (none)
     */
    descriptionVariants: z
      .object({ count: z.number().int().nonnegative().max(64).default(0), wordDropout: z.number().min(0).lt(1).default(0.3) })
      .strict()
      .default({}),
    /** Probability of replacing the condition by the null embedding (classifier-free guidance; 0 in the paper). @default 0.1 */
    condDropout: unitInterval.default(0.1),
  })
  .strict()
  .default({});

const sampling = z
  .object({
    /** @default 'dpmpp-2m' (the paper: 500-step DDPM) */
    sampler: z.enum(['ddpm', 'ddim', 'dpmpp-2m']).default('dpmpp-2m'),
    /** @default 20 */
    steps: positiveInt.default(20),
    /** Classifier-free guidance scale; 1 means no guidance. @default 1 */
    guidanceScale: z.number().nonnegative().default(1),
    /**
     * Pulls each condition toward the library's task conditions before sampling (not in the paper): the condition
     * becomes (1 - weight) * itself + weight * the mix of task conditions weighted by softmax(cosine / temperature).
     * A wording the library never used then conditions the denoiser on (nearly) the task it names rather than on
     * an embedding it never saw; the price is that the output follows the nearest library tasks, so use it when
     * users name library tasks in their own words, not to reach tasks between them; mode 'span' keeps those (it
     * projects onto the span of the task conditions instead). Needs a model trained by this version (it keeps the
     * library's descriptions). @default { weight: 0, temperature: 0.01, mode: 'nearest' } (off)
     */
    anchoring: z
      .object({
        weight: unitInterval.default(0),
        temperature: z.number().positive().finite().default(0.01),
        /** 'nearest' (the mix above) or 'span': the projection onto the span of the task conditions (see condition-anchoring.ts). */
        mode: z.enum(['nearest', 'span']).default('nearest'),
        /**
         * A cosine in (0, 1]: an anchored condition at least this close to its nearest task condition is replaced by
         * that task condition (a description that plainly names one library task samples as that task's training
         * condition). @default undefined (off)
         */
        snap: z.number().gt(0).max(1).optional(),
      })
      .strict()
      .default({}),
  })
  .strict()
  .default({});

const combinations = z
  .object({
    /**
     * Synthetic tasks added to both stages' training set (not in the paper): each the update dW_a + dW_b - dW_c of
     * three library tasks drawn at random, truncated to the library's rank, conditioned on cond_a + cond_b - cond_c.
     * They teach the generator the linear structure of a library whose tasks are made of parts the descriptions
     * name, so that a description naming a new combination of seen parts gets a new update rather than the
     * nearest library task's. Costs one batched factored SVD before training; steps cost the same.
     * @default 0 (none, the paper)
     */
    count: z.number().int().nonnegative().default(0),
    /** Share of each training batch drawn from the library's own tasks (the rest from the combinations). @default 0.5 */
    libraryShare: unitInterval.default(0.5),
    /**
     * `libraryShare` for stage 2 alone, when it should differ from stage 1's. A combination whose update is (nearly)
     * a library task's sits close to that task in latent space under a different condition, so combinations pull
     * the denoiser's sample for a library task off its latent; a higher share here keeps the library more exact.
     * @default libraryShare
     */
    diffusionLibraryShare: unitInterval.optional(),
  })
  .strict()
  .default({});

const text = z
  .object({
    /** Dimension of the built-in hashing encoder. @default 1024 */
    hashingDim: positiveInt.default(1024),
  })
  .strict()
  .default({});

/** The one validated LoRAGen configuration. Every field has a default. */
export const configSchema = z
  .object({
    /** Seed of every random draw (initialisation, batches, noise). @default 0 */
    seed: z.number().int().nonnegative().default(0),
    autoencoder,
    diffusion,
    sampling,
    combinations,
    text,
    /** Write a resumable checkpoint every this many steps (when a checkpoint folder is given). @default 500 */
    checkpointEvery: positiveInt.default(500),
  })
  .strict();

/** A complete configuration, every default filled in. */
export type LoraGenConfig = z.output<typeof configSchema>;
/** What a user may write: any subset of {@link LoraGenConfig}. */
export type LoraGenConfigInput = z.input<typeof configSchema>;
