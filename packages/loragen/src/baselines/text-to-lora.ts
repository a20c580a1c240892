// The Text-to-LoRA baseline (Charakorn et al., ICML 2025): one network from a description's embedding straight to
// every position's LoRA factors; no latent space, no diffusion. What LoRAGen's two stages are measured against.
import * as tf from '@tensorflow/tfjs';
import type { LoraAdapter } from '@loragen/lora-io';
import { plainMatMul, type LoraDecoder } from '@loragen/moe-decoder';
import { balanceWeight, reconstructionLoss } from '../autoencoder/objective';
import type { LoraGenConfig, LoraGenConfigInput } from '../config/schema';
import type { FactorSet, LibraryTask } from '../data/factor-set';
import type { Combination } from '../data/library-combinations';
import { assertFiniteRows } from '../data/finite';
import { AbortedError } from '../errors';
import { factorsToAdapters } from '../model/generated-adapter';
import { buildDecoder, decoderShape, type DecoderChoice } from '../model/networks';
import { glorot, zeros } from '../model/variable-init';
import type { SeededRng } from '@loragen/latent-diffusion';
import { trainingRng } from '../training/training-rng';
import { fitInputs } from '../training/fit-inputs';
import { conditionRows, isBatch, nonFiniteEmbedding, type Conditioning } from '../text/condition-rows';
import type { TaskTextEncoder } from '../text/text-encoder';
import { factorBatch } from '../training/autoencoder-trainer';
import { drawBatch, drawSplitBatch } from '../training/batches';
import { scheduledLearningRate, setLearningRate } from '../training/learning-rate';
import { runSteps, type FitProgress } from '../training/progress';

/** Options of {@link TextToLora.fit}. */
export interface TextToLoraFitOptions {
  /** @default new HashingTextEncoder({ dim: config.text.hashingDim }) */
  textEncoder?: TaskTextEncoder;
  /** The heads that turn each position's code into factors. @default the configured MoE / shared-MLP decoder */
  decoder?: DecoderChoice;
  /** Called after every step, with stage `'hypernetwork'`. */
  onProgress?: (progress: FitProgress) => void;
  /** Aborting it rejects with an AbortedError. */
  signal?: AbortSignal;
}

/** Embedding -> ReLU MLP (two hidden layers of `hidden`) -> a code of `latentDim` for every position. */
class TextToCodes {
  readonly variables: Record<string, tf.Variable>;

  constructor(
    condDim: number,
    hidden: number,
    private readonly positions: number,
    private readonly latentDim: number,
    rng: SeededRng,
  ) {
    this.variables = {
      'in/kernel': glorot(rng, condDim, hidden),
      'in/bias': zeros(hidden),
      'hidden/kernel': glorot(rng, hidden, hidden),
      'hidden/bias': zeros(hidden),
      'out/kernel': glorot(rng, hidden, positions * latentDim),
      'out/bias': zeros(positions * latentDim),
    };
  }

  /** Conditions [batch, condDim] -> codes [batch, positions, latentDim]. */
  codes(conditions: tf.Tensor2D): tf.Tensor3D {
    return tf.tidy(() => {
      const v = this.variables;
      // plain products: tfjs's own matMul gradient runs transposed products, several times slower on wasm
      const layer = (x: tf.Tensor, name: string) => tf.add(plainMatMul(x as tf.Tensor2D, v[`${name}/kernel`] as tf.Tensor2D), v[`${name}/bias`]);
      const h = tf.relu(layer(tf.relu(layer(conditions, 'in')), 'hidden'));
      return tf.reshape(layer(h, 'out'), [conditions.shape[0], this.positions, this.latentDim]) as tf.Tensor3D;
    });
  }

  dispose(): void {
    tf.dispose(Object.values(this.variables));
  }
}

/**
 * The Text-to-LoRA recipe as a baseline: an MLP maps a description's embedding to a code for every position, and
 * the same decoder heads as LoRAGen's (module-aware MoE, or the shared MLP) turn the codes into factors. It trains
 * end to end on the library with stage 1's reconstruction loss (angular + spectral on dW, or `supervision:
 * 'factors'`) and the decoder's balance loss, conditioned each step on one randomly drawn description of each task
 * in the batch, with the `autoencoder` section's steps, batch size, learning rate and schedule, and
 * `encoderHidden` as the MLP's width. Not saved or loaded: it exists to be measured against.
 *
 * @example
 * const t2l = await TextToLora.fit(tasks, { autoencoder: { steps: 2000 } });
 * const adapter = await t2l.generate('Classify the sentiment of a movie review');
 */
export class TextToLora {
  private constructor(
    private readonly data: Pick<FactorSet, 'layout' | 'normalisers'>,
    readonly textEncoder: TaskTextEncoder,
    private readonly network: TextToCodes,
    readonly decoder: LoraDecoder,
  ) {}

  /**
   * Trains the hypernetwork on a library.
   * @throws LibraryError for libraries it cannot learn from; ConfigError for a bad config; AbortedError when
   *   `signal` fires; NumericalError when the loss stops being finite.
   */
  static async fit(
    library: Iterable<LibraryTask> | AsyncIterable<LibraryTask>,
    config: LoraGenConfigInput = {},
    options: TextToLoraFitOptions = {},
  ): Promise<TextToLora> {
    const { cfg, data, textEncoder } = await fitInputs(library, config, options);
    const rng = trainingRng(cfg.seed);
    const shape = decoderShape(data.layout, cfg);
    const decoder = buildDecoder(shape, cfg, options.decoder);
    const network = new TextToCodes(textEncoder.dim, cfg.autoencoder.encoderHidden, data.layout.layers * shape.modules.length, shape.latentDim, rng);
    const model = new TextToLora(data, textEncoder, network, decoder);
    try {
      await train(model, data, cfg, rng, options);
    } catch (err) {
      model.dispose();
      throw err;
    }
    return model;
  }

  /** Every trainable variable (the MLP's, then the decoder's), in a fixed order. */
  get variables(): tf.Variable[] {
    return [...Object.values(this.network.variables), ...Object.values(this.decoder.variables)];
  }

  /** Codes of condition rows through the decoder: factors per module type, normalised as in training. */
  decodeConditions(conditions: tf.Tensor2D, decode: { training: boolean; step?: number }) {
    const codes = this.network.codes(conditions);
    try {
      return this.decoder.decode(codes, decode);
    } finally {
      codes.dispose();
    }
  }

  /** One adapter for a description (or condition vector), or one for each of a list of them. */
  generate(description: string | ArrayLike<number>): Promise<LoraAdapter>;
  generate(descriptions: readonly string[] | readonly ArrayLike<number>[]): Promise<LoraAdapter[]>;
  async generate(description: Conditioning): Promise<LoraAdapter | LoraAdapter[]> {
    const rows = await conditionRows(description, this.textEncoder);
    const conditions = tf.tensor2d(rows, [rows.length, this.textEncoder.dim]);
    const decoded = this.decodeConditions(conditions, { training: false });
    try {
      const adapters = await factorsToAdapters(this.data.layout, this.data.normalisers, decoded.factors, rows.length);
      return isBatch(description) ? adapters : adapters[0];
    } finally {
      tf.dispose([conditions, decoded.auxLoss, ...Object.values(decoded.factors).flatMap((f) => [f.A, f.B])]);
      if (decoded.stats) tf.dispose(Object.values(decoded.stats));
    }
  }

  dispose(): void {
    this.network.dispose();
    this.decoder.dispose();
  }
}

/** Adam on the reconstruction + balance loss, a batch of tasks a step, each conditioned on one of its descriptions. */
async function train(model: TextToLora, data: FactorSet, config: LoraGenConfig, rng: SeededRng, options: TextToLoraFitOptions): Promise<void> {
  const cfg = config.autoencoder;
  const each = await model.textEncoder.embed(data.descriptions.flat());
  const embeddings = (await each.array()) as number[][];
  each.dispose();
  const labels = data.taskNames.flatMap((task, t) => data.descriptions[t].map((d) => `task '${task}', description "${d}"`));
  assertFiniteRows(embeddings.flat(), model.textEncoder.dim, labels, nonFiniteEmbedding);
  const offsets = data.descriptions.reduce((o, d) => [...o, o[o.length - 1] + d.length], [0]);
  const names = model.decoder.modules.map((m) => m.name);
  const optimizer = tf.train.adam(cfg.learningRate, cfg.beta1, cfg.beta2);
  try {
    const step = async (i: number) => {
      setLearningRate(optimizer, scheduledLearningRate(cfg.learningRate, i, cfg.steps, cfg.learningRateSchedule));
      const split = { library: data.taskNames.length, extra: data.combinations?.length ?? 0, libraryShare: config.combinations.libraryShare };
      const tasks = drawSplitBatch(rng, split, cfg.batchSize, drawBatch);
      const description = (t: number) => embeddings[offsets[t] + rng.int(offsets[t + 1] - offsets[t])];
      // a combination is conditioned on the same combination of one description of each parent
      const rows = tasks.map((t) => (t < split.library ? description(t) : combinedRow(data.combinations![t - split.library], description)));
      const conditions = tf.tensor2d(rows, [rows.length, model.textEncoder.dim]);
      const targets = factorBatch(data, tasks);
      const cost = optimizer.minimize(
        () => {
          const decoded = model.decodeConditions(conditions, { training: true, step: i });
          const balance = tf.mul(decoded.auxLoss, balanceWeight(cfg.loss, i));
          return tf.add(reconstructionLoss(cfg, decoded, targets, names), balance) as tf.Scalar;
        },
        true,
        model.variables,
      )!;
      tf.dispose([conditions, ...targets.flatMap((t) => [t.A, t.B])]);
      const loss = (await cost.data())[0];
      cost.dispose();
      return loss;
    };
    const hooks = { onProgress: options.onProgress, signal: options.signal, checkpointEvery: Number.MAX_SAFE_INTEGER };
    await runSteps(
      'hypernetwork',
      0,
      cfg.steps,
      step,
      hooks,
      () => new AbortedError('training was stopped', 'train again; the baseline keeps no checkpoints'),
    );
  } finally {
    optimizer.dispose();
  }
}

/** The weighted sum of one row per parent of `combination` (`rowOf` draws a parent's row). */
function combinedRow(combination: Combination, rowOf: (task: number) => number[]): number[] {
  const out: number[] = [];
  combination.parents.forEach((p, k) => rowOf(p).forEach((x, d) => (out[d] = (out[d] ?? 0) + combination.weights[k] * x)));
  return out;
}
