import * as tf from '@tensorflow/tfjs';
import { LatentNormalizer, sample, type NoiseSchedule, type SeededRng, type SamplerKind, type SampleProgress } from '@loragen/latent-diffusion';
import type { LoraAdapter } from '@loragen/lora-io';
import { assignStateDict, StateDictError } from '@loragen/moe-decoder';
import { LoraAutoencoder } from './autoencoder/lora-autoencoder';
import { readCheckpointFiles, verifyCheckpointFiles, writeCheckpointFolder } from './checkpoint/folder';
import { decodeTensorFile, encodeTensorFile } from './checkpoint/tensor-file';
import { resolveConfig } from './config/resolve-config';
import type { LoraGenConfig, LoraGenConfigInput } from './config/schema';
import { factorsOf, type LibraryTask } from './data/factor-set';
import { buildDenoiser, samplingDenoiser, type DenoiserChoice, type TrainableDenoiser } from './diffusion/denoiser-factory';
import { anchorConditions, type AnchoringOptions } from './diffusion/condition-anchoring';
import { scheduleFor } from './diffusion/schedule';
import { CheckpointError, ConfigError, NumericalError, TextEncoderError } from './errors';
import { assertFiniteAdapter } from './data/finite';
import { factorsToAdapters } from './model/generated-adapter';
import { confidenceScore, libraryFit, sampleAgreement, updateCosine, type GenerationConfidence } from './model/confidence';
import { describeTextEncoder, encodeModelMeta, parseModelMeta, type ModelMeta } from './model/model-meta';
import { prefixed, unprefixed } from './model/named-variables';
import { buildDecoder, decoderShape, type DecoderChoice } from './model/networks';
import { trainingRng } from './training/training-rng';
import { HashingTextEncoder } from './text/hashing-encoder';
import { conditioningItems, conditionRows, isBatch, type Conditioning } from './text/condition-rows';
import { embedTasks, type TaskTextEncoder } from './text/text-encoder';
import type { FitProgress } from './training/progress';
import { factorBatch } from './training/autoencoder-trainer';
import { runTraining } from './training/fit';
import { fitInputs } from './training/fit-inputs';

/** Options of {@link LoraGen.fit}. */
export interface FitOptions {
  /** Your own decoder (or a factory given the library's shape). @default the configured MoE / shared-MLP decoder */
  decoder?: DecoderChoice;
  /** Your own text encoder. @default new HashingTextEncoder({ dim: config.text.hashingDim }) */
  textEncoder?: TaskTextEncoder;
  /** Your own stage-2 denoiser (or a factory given the latent shape). @default latent-diffusion's DiT, sized by `config.diffusion` */
  denoiser?: DenoiserChoice;
  /** Called after every training step. */
  onProgress?: (progress: FitProgress) => void;
  /** Aborting it writes a checkpoint (when `checkpointDir` is set) and rejects with an AbortedError. */
  signal?: AbortSignal;
  /** Folder for resumable checkpoints (Node). @default none */
  checkpointDir?: string;
  /** Continue from the newest checkpoint in `checkpointDir` (bit-identical to an uninterrupted run on cpu). @default false */
  resume?: boolean;
}

/** Options of {@link LoraGen.generate}. */
export interface GenerateOptions {
  /** @default config.sampling.sampler */
  sampler?: SamplerKind;
  /** @default config.sampling.steps */
  steps?: number;
  /** Classifier-free guidance scale (1: none). @default config.sampling.guidanceScale */
  guidanceScale?: number;
  /** Seed of the sampling noise. @default config.seed */
  seed?: number;
  /** Adapters to sample for the description. @default 1 */
  count?: number;
  /** Pull conditions toward the library's task conditions (see the config's `sampling.anchoring`). @default config.sampling.anchoring */
  anchoring?: Partial<AnchoringOptions>;
  onProgress?: (progress: SampleProgress) => void;
  signal?: AbortSignal;
}

/** Options of {@link LoraGen.generate} with a confidence estimate. */
export interface ConfidentGenerateOptions extends Omit<GenerateOptions, 'count'> {
  /** Adapters to sample (at least 2); the confidence compares them. */
  samples: number;
  /** Which sample to return: the medoid (highest mean agreement with the others) or the first. @default 'medoid' */
  select?: 'medoid' | 'first';
}

/** An adapter generated with `samples`, the samples it was chosen from and the confidence estimate. */
export interface ConfidentGeneration {
  adapter: LoraAdapter;
  /** Index of `adapter` in `samples`. */
  selected: number;
  samples: LoraAdapter[];
  confidence: GenerationConfidence;
}

/** Options of {@link LoraGen.load}. */
export interface LoadOptions {
  /** Required when the model was trained with a custom decoder. */
  decoder?: DecoderChoice;
  /** Required when the model was trained with a text encoder other than the hashing one. */
  textEncoder?: TaskTextEncoder;
  /** Required when the model was trained with a custom denoiser. */
  denoiser?: DenoiserChoice;
}

interface ModelParts {
  meta: ModelMeta;
  textEncoder: TaskTextEncoder;
  autoencoder: LoraAutoencoder;
  denoiser: TrainableDenoiser;
}

/** Everything trainable, by checkpoint name: `encoder/...`, `decoder/...` (its state dict names), `denoiser/...`. */
function weightsOf(parts: Pick<ModelParts, 'autoencoder' | 'denoiser'>): { tensors: Record<string, tf.Tensor>; owned: tf.Tensor[] } {
  const decoderState = parts.autoencoder.decoder.stateDict();
  return {
    tensors: {
      ...prefixed('encoder', parts.autoencoder.encoderVariables),
      ...prefixed('decoder', decoderState),
      ...prefixed('denoiser', parts.denoiser.variables),
    },
    owned: Object.values(decoderState),
  };
}

/** Assigns checkpoint weights (see {@link weightsOf}). @throws CheckpointError on any mismatch. */
export function loadWeights(parts: Pick<ModelParts, 'autoencoder' | 'denoiser'>, saved: Record<string, tf.Tensor>, label: string): void {
  try {
    assignStateDict(parts.autoencoder.encoderVariables, unprefixed('encoder', saved), 'the encoder');
    parts.autoencoder.decoder.loadStateDict(unprefixed('decoder', saved));
    assignStateDict(parts.denoiser.variables, unprefixed('denoiser', saved), 'the denoiser');
  } catch (err) {
    if (err instanceof StateDictError) {
      // the first line says what did not match; its hint (the message's second line) is about decoders alone
      throw new CheckpointError(
        `${label}: ${err.message.split('\n')[0]}`,
        'the weights do not belong to this configuration: load the folder with the config, decoder and denoiser it was saved with',
      );
    }
    throw err;
  }
}

/** Builds the untrained networks of a model (weights are then trained or loaded). */
export function buildParts(
  meta: ModelMeta,
  textEncoder: TaskTextEncoder,
  custom: Pick<FitOptions, 'decoder' | 'denoiser'>,
  rng: SeededRng,
): Omit<ModelParts, 'meta'> {
  const cfg = meta.config;
  const shape = decoderShape(meta.layout, cfg);
  const autoencoder = new LoraAutoencoder(buildDecoder(shape, cfg, custom.decoder), cfg.autoencoder.encoderHidden, rng);
  const denoiserShape = { positions: autoencoder.positions, latentDim: cfg.autoencoder.latentDim, condDim: textEncoder.dim };
  return { textEncoder, autoencoder, denoiser: buildDenoiser(denoiserShape, cfg, custom.denoiser) };
}

/**
 * LoRAGen: learns from a library of LoRA adapters with task descriptions, then generates the adapter for a new
 * description. `fit` trains both stages; `generate` returns lora-io `LoraAdapter`s ready for `writePeftAdapter`.
 *
 * @example
 * const gen = await LoraGen.fit(tasks, { autoencoder: { steps: 2000 } });
 * const adapter = await gen.generate('Classify the sentiment of a movie review');
 * await writePeftAdapter('out/sentiment', adapter);
 */
export class LoraGen {
  readonly schedule: NoiseSchedule;
  /** The library's task conditions, embedded on first use by anchored sampling. */
  private taskConditions?: Promise<Float32Array[]>;

  private constructor(private readonly parts: ModelParts) {
    this.schedule = scheduleFor(parts.meta.config);
  }

  get config(): LoraGenConfig {
    return this.parts.meta.config;
  }

  /** The library's layout: module types, layers, module paths. */
  get layout(): ModelMeta['layout'] {
    return this.parts.meta.layout;
  }

  /** The decoder in use (the configured one or yours). */
  get decoder(): LoraAutoencoder['decoder'] {
    return this.parts.autoencoder.decoder;
  }

  get textEncoder(): TaskTextEncoder {
    return this.parts.textEncoder;
  }

  /**
   * Trains stage 1 (the LoRA autoencoder) and stage 2 (the latent diffusion model) on a library.
   * @throws LibraryError for libraries LoRAGen cannot learn from; ConfigError for a bad config;
   *   CheckpointError for an unreadable checkpoint on resume; AbortedError when `signal` fires.
   */
  static async fit(
    library: Iterable<LibraryTask> | AsyncIterable<LibraryTask>,
    config: LoraGenConfigInput = {},
    options: FitOptions = {},
  ): Promise<LoraGen> {
    const { cfg, tasks, data, textEncoder } = await fitInputs(library, config, { textEncoder: options.textEncoder, keepTasks: true });
    const meta: ModelMeta = {
      format: 'loragen-model',
      version: 1,
      config: cfg,
      layout: data.layout,
      normalisers: data.normalisers,
      latentNormalizer: { shift: 0, scale: 1 },
      textEncoder: describeTextEncoder(textEncoder),
      decoder: options.decoder ? 'custom' : 'builtin',
      denoiser: options.denoiser ? 'custom' : 'builtin',
      library: { taskNames: data.taskNames, descriptions: data.descriptions },
    };
    const rng = trainingRng(cfg.seed);
    const parts: ModelParts = { meta, ...buildParts(meta, textEncoder, options, rng) };
    try {
      await runTraining({
        data,
        meta,
        rng,
        autoencoder: parts.autoencoder,
        denoiser: parts.denoiser,
        textEncoder,
        options,
        modelFiles: (extra) => modelFiles(parts, extra),
        loadWeights: (saved, label) => loadWeights(parts, saved, label),
      });
    } catch (err) {
      disposeParts(parts);
      throw err;
    }
    const gen = new LoraGen(parts);
    meta.library!.fidelity = await gen.fidelityOn(tasks, options.signal);
    return gen;
  }

  /** Per task, the cosine of dW between the adapter generated for its descriptions and its own (see `ModelMeta.library`). */
  private async fidelityOn(tasks: readonly LibraryTask[], signal?: AbortSignal): Promise<number[]> {
    const generated = (await this.generate(await this.libraryConditions(), { signal })) as LoraAdapter[];
    return generated.map((g, t) => updateCosine(g, tasks[t].adapter));
  }

  /**
   * Samples `samples` adapters for one description and returns one of them (the medoid: the sample that agrees
   * most with the others, or the first) with a confidence estimate: how much the samples agree and how well the
   * library covers the description (see {@link GenerationConfidence}).
   * @throws ConfigError for fewer than 2 samples, or a model saved without its library (it predates confidence).
   */
  generate(description: string | ArrayLike<number>, options: ConfidentGenerateOptions): Promise<ConfidentGeneration>;
  /** Samples one adapter for a description (or a precomputed condition vector). */
  generate(description: string | ArrayLike<number>, options?: GenerateOptions & { count?: 1 }): Promise<LoraAdapter>;
  /** Samples `count` adapters for a description. */
  generate(description: string | ArrayLike<number>, options: GenerateOptions & { count: number }): Promise<LoraAdapter[]>;
  /** Samples `count` adapters (default 1) for each of several descriptions, in one batch: description-major. */
  generate(descriptions: readonly string[] | readonly ArrayLike<number>[], options?: GenerateOptions): Promise<LoraAdapter[]>;
  async generate(
    description: Conditioning,
    options: GenerateOptions | ConfidentGenerateOptions = {},
  ): Promise<LoraAdapter | LoraAdapter[] | ConfidentGeneration> {
    if ('samples' in options && options.samples !== undefined) return this.generateConfident(description, options);
    const plain = options as GenerateOptions;
    const latents = await this.sampleLatents(description, plain);
    try {
      const adapters = await this.decode(latents);
      const items = conditioningItems(description);
      const count = plain.count ?? 1;
      adapters.forEach((adapter, i) => {
        const from = items[Math.floor(i / count)];
        const label = typeof from === 'string' ? `"${from}"` : `condition vector ${Math.floor(i / count)}`;
        assertFiniteAdapter(
          adapter,
          `the adapter generated for ${label} (sample ${(i % count) + 1})`,
          (message) =>
            new NumericalError(
              message,
              'the model gives non-finite values here: try a lower guidance scale or more sampling steps, or retrain the model',
            ),
        );
      });
      return plain.count === undefined && !isBatch(description) ? adapters[0] : adapters;
    } finally {
      latents.dispose();
    }
  }

  private async generateConfident(description: Conditioning, options: ConfidentGenerateOptions): Promise<ConfidentGeneration> {
    const { samples, select = 'medoid', ...rest } = options;
    if (isBatch(description))
      throw new ConfigError('samples (with confidence) takes one description, not a list', 'call generate once per description');
    if (!Number.isInteger(samples) || samples < 2)
      throw new ConfigError(`samples must be an integer of at least 2 (got ${samples})`, 'pass samples: 8, or count for plain samples');
    if (select !== 'medoid' && select !== 'first')
      throw new ConfigError(`select must be 'medoid' or 'first' (got '${String(select)}')`, "pass select: 'medoid'");
    const library = this.parts.meta.library;
    if (!library) {
      throw new ConfigError(
        "confidence needs the library's descriptions, which this model was saved without (it predates them)",
        'retrain the model with this version, or generate with count instead of samples',
      );
    }
    const adapters = (await this.generate(description as string, { ...rest, count: samples })) as LoraAdapter[];
    const [row] = await conditionRows(description, this.parts.textEncoder);
    const fit = libraryFit(row, await this.libraryConditions(), library.taskNames);
    const { agreement, medoid } = sampleAgreement(adapters);
    const selected = select === 'medoid' ? medoid : 0;
    const nearest = library.taskNames.indexOf(fit.nearestTasks[0].task);
    const fidelity = library.fidelity?.[nearest] ?? null;
    return {
      adapter: adapters[selected],
      selected,
      samples: adapters,
      confidence: { agreement, ...fit, fidelity, score: confidenceScore(fit.retrieval, fidelity) },
    };
  }

  /**
   * Stage 2 alone: samples `count` latents for a description (or for each of several, description-major), in the
   * autoencoder's latent space (the latent normaliser undone), [rows, positions, latentDim]. {@link decode} turns
   * them into adapters.
   */
  async sampleLatents(description: Conditioning, options: GenerateOptions = {}): Promise<tf.Tensor3D> {
    const { meta, textEncoder, denoiser } = this.parts;
    const cfg = meta.config;
    const cond = await this.condition(description, textEncoder, options.count ?? 1, this.anchoringOf(options));
    try {
      return (await sample({
        denoiser: samplingDenoiser(denoiser),
        shape: [cond.shape[0], this.positions, cfg.autoencoder.latentDim],
        schedule: this.schedule,
        sampler: options.sampler ?? cfg.sampling.sampler,
        steps: options.steps ?? cfg.sampling.steps,
        cond,
        guidanceScale: options.guidanceScale ?? cfg.sampling.guidanceScale,
        seed: options.seed ?? cfg.seed,
        normalizer: new LatentNormalizer(meta.latentNormalizer),
        onProgress: options.onProgress,
        signal: options.signal,
      })) as tf.Tensor3D;
    } finally {
      cond.dispose();
    }
  }

  /**
   * Stage 1's encoder: the posterior means of adapters laid out as the library, [adapters, positions, latentDim]
   * (what stage 2 was trained on, before the latent normaliser). The caller disposes the tensor.
   * @throws LibraryError when an adapter's layout differs from the library's.
   */
  async encode(adapters: readonly LoraAdapter[]): Promise<tf.Tensor3D> {
    const { meta, autoencoder } = this.parts;
    const batch = factorBatch(
      { layout: meta.layout, factors: factorsOf(adapters, meta.layout, meta.normalisers) },
      adapters.map((_, i) => i),
    );
    const { mean, logVar } = autoencoder.encode(batch);
    tf.dispose([logVar, ...batch.flatMap((b) => [b.A, b.B])]);
    return mean;
  }

  /** Stage 1's decoder: latents [count, positions, latentDim] (as {@link encode} and {@link sampleLatents} give) to adapters. */
  async decode(latents: tf.Tensor3D): Promise<LoraAdapter[]> {
    const { meta, autoencoder } = this.parts;
    if (latents.rank !== 3 || latents.shape[1] !== this.positions || latents.shape[2] !== meta.config.autoencoder.latentDim) {
      throw new ConfigError(
        `latents of shape [${latents.shape.join(', ')}] do not fit this model: it decodes [count, ${this.positions}, ${meta.config.autoencoder.latentDim}]`,
        'pass latents from encode or sampleLatents of the same model',
      );
    }
    const decoded = autoencoder.decoder.decode(latents, { training: false });
    try {
      return await factorsToAdapters(meta.layout, meta.normalisers, decoded.factors, latents.shape[0]);
    } finally {
      tf.dispose([decoded.auxLoss, ...Object.values(decoded.factors).flatMap((f) => [f.A, f.B])]);
      if (decoded.stats) tf.dispose(Object.values(decoded.stats));
    }
  }

  /** Latent positions per adapter: module types x layers. */
  get positions(): number {
    return this.parts.autoencoder.positions;
  }

  /** The anchoring a call uses: the model's config, overridden field by field by the call's options. */
  private anchoringOf(options: GenerateOptions): AnchoringOptions {
    const anchoring = { ...this.parts.meta.config.sampling.anchoring, ...options.anchoring };
    if (options.anchoring) resolveConfig({ sampling: { anchoring } });
    if (anchoring.weight > 0 && !this.parts.meta.library) {
      throw new ConfigError(
        "anchoring needs the library's descriptions, which this model was saved without (it predates them)",
        'retrain the model with this version, or generate with anchoring: { weight: 0 }',
      );
    }
    return anchoring;
  }

  /** The library's task conditions (the mean embedding of each task's descriptions), embedded once. */
  private libraryConditions(): Promise<Float32Array[]> {
    this.taskConditions ??= (async () => {
      const { descriptions } = this.parts.meta.library!;
      const table = await embedTasks(this.parts.textEncoder, descriptions);
      const values = (await table.data()) as Float32Array;
      table.dispose();
      const dim = this.parts.textEncoder.dim;
      return descriptions.map((_, t) => values.slice(t * dim, (t + 1) * dim));
    })();
    return this.taskConditions;
  }

  /** Condition rows (anchored if asked): each description's embedding or given vector `count` times, description-major. */
  private async condition(description: Conditioning, encoder: TaskTextEncoder, count: number, anchoring: AnchoringOptions): Promise<tf.Tensor2D> {
    const rows = await conditionRows(description, encoder);
    const anchored = anchoring.weight > 0 ? anchorConditions(rows, await this.libraryConditions(), anchoring) : rows;
    return tf.tensor2d(
      anchored.flatMap((r) => Array.from({ length: count }, () => r)),
      [rows.length * count, encoder.dim],
    );
  }

  /** Writes `config.json`, `weights.safetensors` and `manifest.json` into `dir`, each atomically (Node). */
  async save(dir: string): Promise<void> {
    await writeCheckpointFolder(dir, await modelFiles(this.parts, {}));
  }

  /**
   * Loads a folder written by {@link LoraGen.save} (Node).
   * @throws CheckpointError when the folder is missing, incomplete, corrupt, or needs a decoder / text encoder
   *   that was not passed.
   */
  static async load(dir: string, options: LoadOptions = {}): Promise<LoraGen> {
    return LoraGen.fromFiles(await readCheckpointFiles(dir), dir, options);
  }

  /**
   * Builds a model from the files of a saved folder already in memory (`config.json`, `weights.safetensors`,
   * `manifest.json`), e.g. fetched by a browser app; they are checked against the manifest first.
   * @param label names the source in error messages.
   * @throws CheckpointError as {@link LoraGen.load}.
   */
  static async fromFiles(files: Record<string, Uint8Array>, label = 'model', options: LoadOptions = {}): Promise<LoraGen> {
    const checked = verifyCheckpointFiles(files, label);
    const meta = parseModelMeta(checked['config.json'], label);
    for (const part of ['decoder', 'denoiser'] as const) {
      if (meta[part] === 'custom' && !options[part]) {
        throw new CheckpointError(
          `${label} was trained with a custom ${part}`,
          `pass the same ${part} (or its factory) as \`${part}\` to LoraGen.load`,
        );
      }
    }
    let textEncoder = options.textEncoder;
    if (!textEncoder) {
      if (meta.textEncoder.kind !== 'hashing') {
        throw new CheckpointError(`${label} was trained with a custom text encoder`, 'pass the same text encoder as `textEncoder` to LoraGen.load');
      }
      try {
        textEncoder = new HashingTextEncoder(meta.textEncoder.options ?? { dim: meta.textEncoder.dim });
      } catch (err) {
        if (err instanceof TextEncoderError) throw new TextEncoderError(`${label}/config.json: the text encoder's ${err.reason}`, err.hint);
        throw err;
      }
    }
    if (textEncoder.dim !== meta.textEncoder.dim) {
      throw new CheckpointError(
        `${label} expects ${meta.textEncoder.dim}-d text embeddings, the given encoder gives ${textEncoder.dim}`,
        'pass the encoder the model was trained with',
      );
    }
    const parts: ModelParts = { meta, ...buildParts(meta, textEncoder, options, trainingRng(meta.config.seed)) };
    const saved = decodeTensorFile(checked['weights.safetensors'] ?? new Uint8Array(), `${label}/weights.safetensors`);
    try {
      loadWeights(parts, saved, `${label}/weights.safetensors`);
    } catch (err) {
      disposeParts(parts);
      throw err;
    } finally {
      tf.dispose(Object.values(saved));
    }
    return new LoraGen(parts);
  }

  dispose(): void {
    disposeParts(this.parts);
  }
}

async function modelFiles(parts: ModelParts, extra: Record<string, Uint8Array>): Promise<Record<string, Uint8Array>> {
  const { tensors, owned } = weightsOf(parts);
  try {
    return { 'config.json': encodeModelMeta(parts.meta), 'weights.safetensors': await encodeTensorFile(tensors), ...extra };
  } finally {
    tf.dispose(owned);
  }
}

function disposeParts(parts: Omit<ModelParts, 'meta' | 'textEncoder'>): void {
  parts.autoencoder.dispose();
  parts.denoiser.dispose();
}
