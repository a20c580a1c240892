import * as tf from '@tensorflow/tfjs';
import type { LoraAutoencoder } from '../autoencoder/lora-autoencoder';
import { readLatestTrainingCheckpoint, writeTrainingCheckpoint } from '../checkpoint/training-checkpoints';
import { decodeTensorFile, encodeTensorFile } from '../checkpoint/tensor-file';
import { concat, type FactorSet } from '../data/factor-set';
import { combinedConditions, diffusionLibraryShare, trainingRows } from '../data/library-combinations';
import { ExponentialMovingAverage, LatentDiffusionError, LatentNormalizer, type SeededRng, type SeededRngState } from '@loragen/latent-diffusion';
import type { TrainableDenoiser } from '../diffusion/denoiser-factory';
import { scheduleFor } from '../diffusion/schedule';
import { AbortedError, CheckpointError } from '../errors';
import { assertFiniteRows } from '../data/finite';
import type { ModelMeta } from '../model/model-meta';
import { prefixed, unprefixed } from '../model/named-variables';
import { restoreTrainingRng } from './training-rng';
import { nonFiniteEmbedding } from '../text/condition-rows';
import { taskMeans, type TaskTextEncoder } from '../text/text-encoder';
import { adamState, restoreAdamState } from './adam-state';
import { AutoencoderTrainer, factorBatch } from './autoencoder-trainer';
import { withWordDropoutVariants } from './description-variants';
import { DiffusionTrainer, type LatentSet } from './diffusion-trainer';
import { runSteps, type FitProgress, type StageHooks } from './progress';

/** Where a training run stands; `training.json` of a checkpoint. */
interface TrainingState {
  stage: FitProgress['stage'];
  /** Completed steps of `stage`. */
  step: number;
  /** SeededRng's state; checkpoints written before 2026-12-06 hold its four bare words instead */
  rng: SeededRngState | number[];
  emaUpdates: number;
}

export interface TrainingContext {
  data: FactorSet;
  meta: ModelMeta;
  rng: SeededRng;
  autoencoder: LoraAutoencoder;
  denoiser: TrainableDenoiser;
  textEncoder: TaskTextEncoder;
  options: { onProgress?: (p: FitProgress) => void; signal?: AbortSignal; checkpointDir?: string; resume?: boolean };
  /** The model's own files (config + weights) plus `extra`. */
  modelFiles(extra: Record<string, Uint8Array>): Promise<Record<string, Uint8Array>>;
  loadWeights(saved: Record<string, tf.Tensor>, label: string): void;
}

interface Resumed {
  state: TrainingState;
  tensors: Record<string, tf.Tensor>;
}

async function readResume(ctx: TrainingContext): Promise<Resumed | null> {
  const { checkpointDir, resume } = ctx.options;
  if (!resume) return null;
  if (!checkpointDir)
    throw new CheckpointError('resume was asked for without a checkpoint folder', 'pass checkpointDir (the CLI uses <out>/checkpoints)');
  const files = await readLatestTrainingCheckpoint(checkpointDir);
  if (!files) return null;
  let state: TrainingState;
  try {
    state = JSON.parse(new TextDecoder().decode(files['training.json'])) as TrainingState;
  } catch {
    throw new CheckpointError(
      `${checkpointDir}: training.json of the latest checkpoint is unreadable`,
      'delete the checkpoint folder and train from scratch',
    );
  }
  const tensors = {
    ...prefixed('weights', decodeTensorFile(files['weights.safetensors'], `${checkpointDir} weights`)),
    ...prefixed('optimizer', decodeTensorFile(files['optimizer.safetensors'], `${checkpointDir} optimizer`)),
    ...(files['ema.safetensors'] ? prefixed('ema', decodeTensorFile(files['ema.safetensors'], `${checkpointDir} ema`)) : {}),
  };
  ctx.loadWeights(unprefixed('weights', tensors), `${checkpointDir} weights`);
  restoreTrainingRng(ctx.rng, state.rng, `${checkpointDir}: training.json of the latest checkpoint`);
  return { state, tensors };
}

async function optimizerFile(optimizer: tf.AdamOptimizer): Promise<Uint8Array> {
  const state = await adamState(optimizer);
  try {
    return await encodeTensorFile(state);
  } finally {
    state['adam/iter'].dispose(); // a fresh scalar; the rest are the optimiser's own variables
  }
}

/** Posterior means of every training adapter (the library's, then any combinations), [N, positions, latent], in chunks. */
async function encodeLibrary(ae: LoraAutoencoder, data: FactorSet): Promise<Float32Array> {
  const n = trainingRows(data);
  const out = new Float32Array(n * ae.positions * ae.latentDim);
  for (let start = 0; start < n; start += 32) {
    const idx = Array.from({ length: Math.min(32, n - start) }, (_, i) => start + i);
    const batch = factorBatch(data, idx);
    const { mean, logVar } = ae.encode(batch);
    out.set(await mean.data(), start * ae.positions * ae.latentDim);
    tf.dispose([mean, logVar, ...batch.flatMap((b) => [b.A, b.B])]);
  }
  return out;
}

/** Fits latent-diffusion's normaliser to the library's latents and applies it. */
async function normalizeLatents(means: Float32Array, method: 'max-abs' | 'standardize') {
  const z = tf.tensor1d(means);
  const normalizer = await LatentNormalizer.fit(z, method);
  const n = normalizer.normalize(z);
  const latents = (await n.data()) as Float32Array;
  tf.dispose([z, n]);
  return { latents, state: normalizer.toJSON() };
}

/**
 * Runs (or resumes) both stages. Checkpoints hold the model files, the running stage's optimiser state, the
 * EMA (stage 2) and the PRNG state, so that a resumed run repeats exactly the draws of an uninterrupted one.
 */
export async function runTraining(ctx: TrainingContext): Promise<void> {
  const { meta, rng, data, options } = ctx;
  const cfg = meta.config;
  // Every description embedded once, in one batch; a task's condition is the mean of its descriptions' rows. The
  // rows drawn as single-description conditions are those, each task's followed by its word-dropout variants if any.
  const each = await ctx.textEncoder.embed(data.descriptions.flat());
  const drawn = withWordDropoutVariants(data.descriptions, cfg.diffusion.descriptionVariants, cfg.seed);
  const drawnRows = drawn === data.descriptions ? each : await ctx.textEncoder.embed(drawn.flat());
  const condTensor = taskMeans(each, data.descriptions);
  const descriptionConditions = (await drawnRows.data()) as Float32Array;
  const conditions = (await condTensor.data()) as Float32Array;
  tf.dispose([each, drawnRows, condTensor]);
  const labels = data.taskNames.flatMap((task, t) => drawn[t].map((d) => `task '${task}', description "${d}"`));
  assertFiniteRows(descriptionConditions, ctx.textEncoder.dim, labels, nonFiniteEmbedding);
  assertFiniteRows(
    conditions,
    ctx.textEncoder.dim,
    data.taskNames.map((t) => `task '${t}' (mean of its descriptions)`),
    nonFiniteEmbedding,
  );
  const descriptionOffsets = drawn.reduce((offsets, d) => [...offsets, offsets[offsets.length - 1] + d.length], [0]);
  // A combination is conditioned on its parents' combined task conditions, for single-description draws too.
  const combined = combinedConditions(conditions, ctx.textEncoder.dim, data.combinations ?? []);
  const combinationCount = data.combinations?.length ?? 0;
  for (let n = 0; n < combinationCount; n++) descriptionOffsets.push(descriptionOffsets[descriptionOffsets.length - 1] + 1);
  const resumed = await readResume(ctx);
  try {
    const hooks = (stage: FitProgress['stage'], optimizer: () => tf.AdamOptimizer, ema?: ExponentialMovingAverage): StageHooks => ({
      onProgress: options.onProgress,
      signal: options.signal,
      checkpointEvery: cfg.checkpointEvery,
      checkpoint: options.checkpointDir
        ? async (step) => {
            const state: TrainingState = { stage, step, rng: rng.getState(), emaUpdates: ema?.step ?? 0 };
            const extra: Record<string, Uint8Array> = {
              'optimizer.safetensors': await optimizerFile(optimizer()),
              'training.json': new TextEncoder().encode(JSON.stringify(state)),
            };
            if (ema) extra['ema.safetensors'] = await encodeTensorFile(byIndex(ema.getState().averages));
            await writeTrainingCheckpoint(options.checkpointDir!, step, await ctx.modelFiles(extra));
          }
        : undefined,
    });
    const aborted = () =>
      new AbortedError(
        'training was stopped',
        options.checkpointDir
          ? 'resume it with the same checkpoint folder and resume: true (CLI: --resume)'
          : 'pass checkpointDir to be able to resume',
      );

    // A checkpoint taken in stage 2 already holds the averaged autoencoder, so the average only runs in stage 1.
    const stage1Runs = !resumed || resumed.state.stage === 'autoencoder';
    const aeEma =
      stage1Runs && cfg.autoencoder.emaDecay > 0
        ? new ExponentialMovingAverage(indexed(ctx.autoencoder.variables), { decay: cfg.autoencoder.emaDecay })
        : undefined;
    const stage1 = new AutoencoderTrainer(ctx.autoencoder, data, cfg.autoencoder, rng, cfg.combinations.libraryShare, aeEma);
    try {
      if (stage1Runs) {
        if (resumed) {
          await restoreAdamState(stage1.optimizer, unprefixed('optimizer', resumed.tensors));
          if (aeEma) restoreEma(aeEma, unprefixed('ema', resumed.tensors), resumed.state.emaUpdates, `${options.checkpointDir} ema`);
        }
        const start = resumed?.state.step ?? 0;
        await runSteps(
          'autoencoder',
          start,
          cfg.autoencoder.steps,
          (i) => stage1.trainStep(i),
          hooks('autoencoder', () => stage1.optimizer, aeEma),
          aborted,
        );
        aeEma?.assignAveraged();
      }
    } finally {
      stage1.dispose();
      aeEma?.dispose();
    }

    const means = await encodeLibrary(ctx.autoencoder, data);
    const normalized = await normalizeLatents(means, cfg.diffusion.latentScaling);
    meta.latentNormalizer = normalized.state;
    const latents: LatentSet = {
      latents: normalized.latents,
      conditions: concat([conditions, combined]),
      descriptionConditions: concat([descriptionConditions, combined]),
      descriptionOffsets,
      count: trainingRows(data),
      library: data.taskNames.length,
      libraryShare: diffusionLibraryShare(cfg.combinations),
      positions: ctx.autoencoder.positions,
      latentDim: ctx.autoencoder.latentDim,
      condDim: ctx.textEncoder.dim,
    };
    const ema = new ExponentialMovingAverage(ctx.denoiser.variables, { decay: cfg.diffusion.emaDecay });
    const stage2 = new DiffusionTrainer(ctx.denoiser, latents, scheduleFor(cfg), cfg.diffusion, rng, ema);
    try {
      let start = 0;
      if (resumed?.state.stage === 'diffusion') {
        await restoreAdamState(stage2.optimizer, unprefixed('optimizer', resumed.tensors));
        restoreEma(ema, unprefixed('ema', resumed.tensors), resumed.state.emaUpdates, `${options.checkpointDir} ema`);
        start = resumed.state.step;
      }
      await runSteps(
        'diffusion',
        start,
        cfg.diffusion.steps,
        (i) => stage2.trainStep(i),
        hooks('diffusion', () => stage2.optimizer, ema),
        aborted,
      );
      // The trained model samples from the averaged weights.
      ema.assignAveraged();
    } finally {
      stage2.dispose();
      ema.dispose();
    }
  } finally {
    if (resumed) tf.dispose(Object.values(resumed.tensors));
  }
}

/** Variables keyed by their index, as the EMA of the autoencoder names them. */
function indexed(variables: readonly tf.Variable[]): Record<string, tf.Variable> {
  return Object.fromEntries(variables.map((v, i) => [String(i), v]));
}

// `ema.safetensors` names each average by the index of its variable in the averaged variables.
function byIndex(averages: Readonly<Record<string, tf.Tensor>>): Record<string, tf.Tensor> {
  return Object.fromEntries(Object.values(averages).map((t, i) => [String(i), t]));
}

function restoreEma(ema: ExponentialMovingAverage, saved: Record<string, tf.Tensor>, step: number, label: string): void {
  const names = Object.keys(ema.getState().averages);
  const averages: Record<string, tf.Tensor> = {};
  for (const [key, t] of Object.entries(saved)) averages[names[Number(key)] ?? `#${key}`] = t;
  try {
    ema.setState({ step, averages });
  } catch (err) {
    if (err instanceof LatentDiffusionError)
      throw new CheckpointError(`${label}: ${err.message}`, 'delete the checkpoint folder and train from scratch');
    throw err;
  }
}
