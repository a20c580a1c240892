// A DiT-style denoiser (Peebles & Xie 2023) for latent sets [batch, tokens, channels]: token projection, a learned
// embedding per position, sinusoidal + MLP timestep embedding, adaLN-Zero modulation from time + condition,
// optional cross-attention to condition tokens, pre-norm blocks. Every block and the output layer start as zero
// maps, so the untrained model predicts 0 and training begins from the identity.
import * as tf from '@tensorflow/tfjs-core';
import { LatentDiffusionError } from '../errors';
import type { Denoiser, PreparedDenoiser, SamplingPlan } from '../samplers/types';
import { attendHeads, dense, layerNorm, modulatedLayerNorm, silu, sinusoidalEmbedding, splitHeads } from './layers';
import { checkParameterShapes, ParameterFactory, type ParameterMap } from './parameters';
import { fusedAttention, fusedLinear, fusedSamplingActive } from '../webgpu/fused-kernels';
import { recordedSamplingFits, runRecordedSampling } from '../webgpu/recorded-sampling';

export interface DiTConfig {
  /** Tokens per latent set (52 for Gemma-2-2B q/v over 26 layers). */
  tokens: number;
  /** Channels per token (the latent size). */
  channels: number;
  /** Model width. @default 128 */
  width?: number;
  /** Number of transformer blocks. @default 4 */
  depth?: number;
  /** Attention heads; must divide `width`. @default 8 */
  heads?: number;
  /** Hidden size of each block's MLP as a multiple of `width`. @default 4 */
  mlpRatio?: number;
  /** Size D of the condition ([batch, D] or tokens [batch, M, D]); 0 for an unconditional model. @default 0 */
  condDim?: number;
  /** Add cross-attention from the latent tokens to condition tokens [batch, M, D]. @default false */
  crossAttention?: boolean;
  /** Size of the sinusoidal timestep features fed to the time MLP. @default 256 */
  timeFeatures?: number;
  /** Seed of the initial weights. @default 0 */
  seed?: number;
}

/** A denoiser that also supports condition dropout for classifier-free guidance training. */
export interface ConditionalDenoiser {
  /**
   * @param keep optional [batch] float mask: 1 uses the sample's condition, 0 the learned null condition.
   */
  predict(xt: tf.Tensor, t: tf.Tensor, cond: tf.Tensor | null, keep?: tf.Tensor | null): tf.Tensor;
}

type Dense = { kernel: tf.Variable; bias: tf.Variable };

interface Block {
  adaLN: Dense;
  qkv: Dense;
  attnOut: Dense;
  crossQ?: Dense;
  crossKV?: Dense;
  crossOut?: Dense;
  fc1: Dense;
  fc2: Dense;
}

/**
 * What a forward pass needs of the timestep and condition: every adaLN modulation vector [batch, 1, width] (per
 * block: shift, 1 + scale, gate for attention, then for the MLP, then the cross-attention gate; last the final
 * layer's shift, 1 + scale) and each block's cross-attention keys and values (heads split; none without them).
 */
interface Conditioning {
  modulation: tf.Tensor[];
  crossKV: tf.Tensor[][];
}

function resolve(config: DiTConfig): Required<DiTConfig> {
  const c: Required<DiTConfig> = {
    width: 128,
    depth: 4,
    heads: 8,
    mlpRatio: 4,
    condDim: 0,
    crossAttention: false,
    timeFeatures: 256,
    seed: 0,
    ...config,
  };
  for (const key of ['tokens', 'channels', 'width', 'depth', 'heads', 'mlpRatio', 'timeFeatures'] as const) {
    if (!Number.isInteger(c[key]) || c[key] < 1) {
      throw new LatentDiffusionError(`DiT: config.${key} must be a positive integer, got ${c[key]}`);
    }
  }
  if (c.width % c.heads !== 0) {
    throw new LatentDiffusionError(`DiT: heads (${c.heads}) must divide width (${c.width})`);
  }
  if (c.crossAttention && c.condDim < 1) {
    throw new LatentDiffusionError('DiT: crossAttention needs condDim > 0 (the size of each condition token)');
  }
  return c;
}

export class DiT implements ConditionalDenoiser {
  readonly config: Readonly<Required<DiTConfig>>;
  /** Every parameter by a stable, readable name (`blocks.0.qkv.kernel`, ...): the state dict. */
  readonly variables: ParameterMap;
  private readonly inProj: Dense;
  private readonly posEmbed: tf.Variable;
  private readonly time1: Dense;
  private readonly time2: Dense;
  private readonly condProj?: Dense;
  private readonly nullCond?: tf.Variable;
  private readonly blocks: Block[] = [];
  private readonly finalAdaLN: Dense;
  private readonly outProj: Dense;

  constructor(config: DiTConfig) {
    const c = resolve(config);
    this.config = c;
    const p = new ParameterFactory(c.seed);
    const w = c.width;
    this.inProj = p.dense('in', c.channels, w);
    this.posEmbed = p.normal('posEmbed', [c.tokens, w], 0.02);
    this.time1 = p.dense('time.fc1', c.timeFeatures, w);
    this.time2 = p.dense('time.fc2', w, w);
    if (c.condDim > 0) {
      this.condProj = p.dense('cond', c.condDim, w);
      this.nullCond = p.normal('cond.null', [c.condDim], 0.02);
    }
    for (let i = 0; i < c.depth; i++) {
      const n = `blocks.${i}`;
      const block: Block = {
        adaLN: p.dense(`${n}.adaLN`, w, (c.crossAttention ? 7 : 6) * w, true),
        qkv: p.dense(`${n}.qkv`, w, 3 * w),
        attnOut: p.dense(`${n}.attnOut`, w, w),
        fc1: p.dense(`${n}.fc1`, w, c.mlpRatio * w),
        fc2: p.dense(`${n}.fc2`, c.mlpRatio * w, w),
      };
      if (c.crossAttention) {
        block.crossQ = p.dense(`${n}.crossQ`, w, w);
        block.crossKV = p.dense(`${n}.crossKV`, c.condDim, 2 * w);
        block.crossOut = p.dense(`${n}.crossOut`, w, w);
      }
      this.blocks.push(block);
    }
    this.finalAdaLN = p.dense('final.adaLN', w, 2 * w, true);
    this.outProj = p.dense('final.out', w, c.channels, true);
    this.variables = p.params;
  }

  /** The parameters as a list, in a fixed order (what a tfjs optimiser expects). */
  trainableVariables(): tf.Variable[] {
    return Object.values(this.variables);
  }

  /** Copies of every parameter by name (the caller disposes them). */
  stateDict(): Record<string, tf.Tensor> {
    return Object.fromEntries(Object.entries(this.variables).map(([k, v]) => [k, tf.clone(v)]));
  }

  /** Assigns parameters by name; every name must be present with the same shape. */
  loadStateDict(state: Record<string, tf.Tensor>): void {
    checkParameterShapes(this.variables, state, 'DiT.loadStateDict');
    for (const [name, variable] of Object.entries(this.variables)) variable.assign(state[name]);
  }

  /**
   * The model as the `Denoiser` function `sample` takes (cond `null` means the learned null condition). It has
   * `prepare`, so `sample` computes everything that depends only on the timesteps and the condition once per run.
   */
  asDenoiser(): Denoiser {
    const denoiser: Denoiser = (xt, t, cond) => this.predict(xt, t, cond);
    denoiser.prepare = (plan) => this.prepare(plan);
    return denoiser;
  }

  predict(xt: tf.Tensor, t: tf.Tensor, cond: tf.Tensor | null, keep: tf.Tensor | null = null): tf.Tensor {
    this.checkInput(xt, null);
    return tf.tidy(() => {
      const tokens = this.conditionTokens(cond, keep, xt.shape[0]);
      const vectors = this.modulationVectors(t, tokens && this.pooledCondition(tokens), 1);
      // squeezed rather than unstacked: tfjs's unstack gradient fails for a single output
      const modulation = tf.unstack(tf.squeeze(vectors, [0]));
      return this.forward(xt, { modulation, crossKV: tokens ? this.crossKeysValues(tokens) : [] });
    });
  }

  /**
   * Precomputes, for one sampling run, every block's adaLN modulation at all of the run's timesteps (one time-MLP
   * pass and one product per layer for all of them) and the cross-attention keys and values of the condition tokens.
   * `predict(xt, step)` then takes xt [conditions * batch, tokens, channels]: one batch per condition of the plan,
   * stacked in order, so that guidance's two branches run as one forward pass. The weights are read now: assign
   * new values after `prepare` and the prepared denoiser does not see them. The caller disposes it.
   */
  prepare(plan: SamplingPlan): PreparedDenoiser {
    const { timesteps, batch, conditions } = plan;
    const rows = conditions.length * batch;
    const state = tf.tidy(() => {
      const tokens = this.stackedConditionTokens(conditions, batch);
      const pooled = tokens && tf.tile(this.pooledCondition(tokens), [timesteps.length, 1]);
      const t = tf.tensor1d(
        timesteps.flatMap((step) => new Array<number>(rows).fill(step)),
        'int32',
      );
      return {
        // [steps, vectors, rows, 1, width]: a recorded run reads it whole, `predict` one step at a time
        modulation: this.modulationVectors(t, pooled, timesteps.length),
        crossKV: tokens ? this.crossKeysValues(tokens) : [],
      };
    });
    // per-step tensors, each of whose vectors a step cuts apart (one kernel), cut when `predict` first needs them
    let perStep: tf.Tensor[] | null = null;
    const modulationAt = (step: number) => (perStep ??= tf.unstack(state.modulation).map((m) => tf.keep(m)))[step];
    const checkStep = (step: number) => {
      if (!Number.isInteger(step) || step < 0 || step >= timesteps.length) {
        throw new LatentDiffusionError(`DiT: step must be an integer in [0, ${timesteps.length}), got ${step}`);
      }
    };
    // on webgpu, fused kernels read the step's modulation as one tensor (no per-vector slices); not with cross-attention
    const fused = () => !this.config.crossAttention && fusedSamplingActive();
    const prepared: PreparedDenoiser = {
      predict: (xt, step) => {
        this.checkInput(xt, rows);
        checkStep(step);
        return tf.tidy(() =>
          fused()
            ? this.fusedForward(xt, modulationAt(step))
            : this.forward(xt, { modulation: tf.unstack(modulationAt(step)), crossKV: state.crossKV }),
        );
      },
      // on webgpu without cross-attention, the whole run as one recorded command buffer
      sampleLoop: (loop) => {
        if (!fused() || !recordedSamplingFits(rows * this.config.tokens)) return null;
        this.checkInput(loop.start, batch);
        if (loop.steps.length !== timesteps.length) {
          throw new LatentDiffusionError(`DiT: the loop has ${loop.steps.length} steps but the plan ${timesteps.length}`);
        }
        return runRecordedSampling(
          { ...this.config, inProj: this.inProj, posEmbed: this.posEmbed, blocks: this.blocks, outProj: this.outProj },
          state.modulation,
          conditions.length,
          loop,
        );
      },
      dispose: () => tf.dispose([state, perStep ?? []]),
    };
    if (conditions.length === 2) {
      prepared.predictGuided = (xt, step, guidanceScale) => {
        this.checkInput(xt, batch);
        checkStep(step);
        if (fused()) return tf.tidy(() => this.fusedForward(xt, modulationAt(step), guidanceScale));
        return tf.tidy(() => {
          const [conditional, unconditional] = tf.split(prepared.predict(tf.concat([xt, xt], 0), step), 2, 0);
          return tf.add(unconditional, tf.mul(tf.sub(conditional, unconditional), guidanceScale));
        });
      };
    }
    return prepared;
  }

  /** Frees every parameter. */
  dispose(): void {
    for (const v of Object.values(this.variables)) v.dispose();
  }

  /**
   * The condition as tokens [batch, M, D] (a vector is one token), with dropped or absent conditions replaced by
   * the learned null embedding; null for an unconditional model.
   */
  private conditionTokens(cond: tf.Tensor | null, keep: tf.Tensor | null, batch: number): tf.Tensor | null {
    const D = this.config.condDim;
    if (D === 0) return null;
    const nullToken = tf.reshape(this.nullCond!, [1, 1, D]);
    if (cond === null) return tf.tile(nullToken, [batch, 1, 1]);
    if (cond.shape[0] !== batch || cond.shape[cond.rank - 1] !== D || (cond.rank !== 2 && cond.rank !== 3)) {
      throw new LatentDiffusionError(`DiT: cond must be [${batch}, ${D}] or [${batch}, M, ${D}], got [${cond.shape}]`);
    }
    const tokens = cond.rank === 2 ? tf.expandDims(cond, 1) : cond;
    if (keep === null) return tokens;
    const keepColumn = tf.reshape(keep, [batch, 1]);
    // the null token's share as an outer product (1 - keep) x null, whose gradient is a product too
    const nullShare = tf.matMul(tf.sub(1, keepColumn), tf.reshape(this.nullCond!, [1, D]));
    return tf.add(tf.mul(tokens, tf.expandDims(keepColumn, 2)), tf.expandDims(nullShare, 1));
  }

  /** Checks xt's shape; `batch` null accepts any batch size. */
  private checkInput(xt: tf.Tensor, batch: number | null): void {
    const c = this.config;
    const badBatch = batch !== null && xt.shape[0] !== batch;
    if (xt.rank !== 3 || badBatch || xt.shape[1] !== c.tokens || xt.shape[2] !== c.channels) {
      const lead = batch ?? 'batch';
      throw new LatentDiffusionError(`DiT: xt must be [${lead}, ${c.tokens}, ${c.channels}], got [${xt.shape}]`);
    }
  }

  /**
   * One batch of condition tokens per condition, stacked along the batch axis; a single-token condition (a vector
   * or the null condition) is repeated to the token count of the others, which attention and pooling ignore.
   */
  private stackedConditionTokens(conditions: (tf.Tensor | null)[], batch: number): tf.Tensor | null {
    const parts = conditions.map((cond) => this.conditionTokens(cond, null, batch));
    if (parts[0] === null) return null;
    const count = Math.max(...parts.map((p) => p!.shape[1] as number));
    if (parts.some((p) => p!.shape[1] !== count && p!.shape[1] !== 1)) {
      throw new LatentDiffusionError(`DiT.prepare: conditions have ${parts.map((p) => p!.shape[1])} tokens; give them all the same count (or 1)`);
    }
    return tf.concat(
      parts.map((p) => (p!.shape[1] === count ? p! : tf.tile(p!, [1, count, 1]))),
      0,
    );
  }

  /** The condition tokens' mean (a product with a row of 1 / M), projected to the model width: [batch, width]. */
  private pooledCondition(tokens: tf.Tensor): tf.Tensor {
    const [batch, count, D] = tokens.shape as [number, number, number];
    const mean = tf.matMul(tf.tensor2d(new Float32Array(count).fill(1 / count), [1, count]), tokens);
    return dense(tf.reshape(mean, [batch, D]), this.condProj!.kernel, this.condProj!.bias);
  }

  /**
   * Every adaLN modulation vector (all blocks, then the final layer) for timesteps t [groups * n] and pooled
   * conditions [groups * n, width], whose rows come in `groups` blocks of n (one per sampling step, or 1):
   * [groups, vectors, n, 1, width], with the 1 of (1 + scale) already added. One product per layer, each
   * transposed so that every vector is one contiguous block: the cpu backend cuts those out as views, where it
   * splits the last axis (or, in the gradient, a concatenation of the layers' kernels) element by element. That
   * takes 4 (layers - 1) kernels more than one product of the concatenated kernels (16 with four blocks); a
   * prepared sampling run pays them once, not per step.
   */
  private modulationVectors(t: tf.Tensor, pooled: tf.Tensor | null, groups: number): tf.Tensor {
    const c = this.config;
    let ctx = dense(silu(dense(sinusoidalEmbedding(t, c.timeFeatures), this.time1.kernel, this.time1.bias)), this.time2.kernel, this.time2.bias);
    if (pooled) ctx = tf.add(ctx, pooled);
    const activated = silu(ctx);
    const n = activated.shape[0] / groups;
    const perBlock = c.crossAttention ? 7 : 6;
    const layers = [
      ...this.blocks.map((b) => ({ layer: b.adaLN, vectors: perBlock, scales: [1, 4] })),
      { layer: this.finalAdaLN, vectors: 2, scales: [1] },
    ];
    const byVector = layers.map(({ layer, vectors, scales }) => {
      // the 1 of (1 + scale) goes into the bias: added to the product, it would be a broadcast over the rows
      const offsets = new Float32Array(vectors * c.width);
      for (const v of scales) offsets.fill(1, v * c.width, (v + 1) * c.width);
      const rows = dense(activated, layer.kernel, tf.add(layer.bias, tf.tensor1d(offsets)));
      return tf.transpose(tf.reshape(rows, [groups, n, vectors, c.width]), [0, 2, 1, 3]);
    });
    const all = tf.concat(byVector, 1);
    return tf.reshape(all, [groups, all.shape[1] as number, n, 1, c.width]);
  }

  /** Each block's cross-attention keys and values of the condition tokens, split into heads. */
  private crossKeysValues(tokens: tf.Tensor): tf.Tensor[][] {
    if (!this.config.crossAttention) return [];
    return this.blocks.map((b) => splitHeads(dense(tokens, b.crossKV!.kernel, b.crossKV!.bias), 2, this.config.heads));
  }

  private forward(xt: tf.Tensor, conditioning: Conditioning): tf.Tensor {
    const perBlock = this.config.crossAttention ? 7 : 6;
    const { modulation: m, crossKV } = conditioning;
    let x = tf.add(dense(xt, this.inProj.kernel, this.inProj.bias), this.posEmbed);
    this.blocks.forEach((block, i) => {
      x = this.block(x, m.slice(i * perBlock, (i + 1) * perBlock), block, crossKV[i]);
    });
    const [shift, onePlusScale] = m.slice(this.blocks.length * perBlock);
    return dense(modulatedLayerNorm(x, shift, onePlusScale), this.outProj.kernel, this.outProj.bias);
  }

  /**
   * The forward pass of a prepared step on the fused WebGPU kernels (5 a block): `modulation` is the step's
   * [vectors, samples, 1, width]. xt holds one batch, read for every condition of the plan, or all of them; with
   * `guidanceScale` the output is the guided prediction of the plan's [cond, null] pair, one batch.
   */
  private fusedForward(xt: tf.Tensor, modulation: tf.Tensor, guidanceScale?: number): tf.Tensor {
    const { tokens, channels, heads } = this.config;
    const perBlock = 6;
    const mod = modulation;
    const repeat = (modulation.shape[1] as number) / (xt.shape[0] as number);
    let x = fusedLinear(tf.reshape(xt, [-1, channels]), this.inProj, { tokens, positional: true, repeat }, { pos: this.posEmbed });
    this.blocks.forEach((b, i) => {
      const v = i * perBlock;
      const qkv = fusedLinear(x, b.qkv, { tokens, modulate: { shift: v, scale: v + 1 } }, { modulation: mod });
      x = fusedLinear(fusedAttention(qkv, tokens, heads), b.attnOut, { tokens, gate: v + 2 }, { modulation: mod, res: x });
      const hidden = fusedLinear(x, b.fc1, { tokens, modulate: { shift: v + 3, scale: v + 4 }, silu: true }, { modulation: mod });
      x = fusedLinear(hidden, b.fc2, { tokens, gate: v + 5 }, { modulation: mod, res: x });
    });
    const f = this.blocks.length * perBlock;
    const out = fusedLinear(x, this.outProj, { tokens, modulate: { shift: f, scale: f + 1 }, guidanceScale }, { modulation: mod });
    return tf.reshape(out, [-1, tokens, channels]);
  }

  private block(x: tf.Tensor, mod: tf.Tensor[], b: Block, crossKV: tf.Tensor[] | undefined): tf.Tensor {
    const heads = this.config.heads;
    const [shiftA, scaleA, gateA, shiftM, scaleM, gateM, gateC] = mod;

    const [q, k, v] = splitHeads(dense(modulatedLayerNorm(x, shiftA, scaleA), b.qkv.kernel, b.qkv.bias), 3, heads);
    x = tf.add(x, tf.mul(dense(attendHeads(q, k, v), b.attnOut.kernel, b.attnOut.bias), gateA));

    if (b.crossQ && crossKV) {
      const [cq] = splitHeads(dense(layerNorm(x), b.crossQ.kernel, b.crossQ.bias), 1, heads);
      const cross = dense(attendHeads(cq, crossKV[0], crossKV[1]), b.crossOut!.kernel, b.crossOut!.bias);
      x = tf.add(x, tf.mul(cross, gateC));
    }

    const m = dense(silu(dense(modulatedLayerNorm(x, shiftM, scaleM), b.fc1.kernel, b.fc1.bias)), b.fc2.kernel, b.fc2.bias);
    return tf.add(x, tf.mul(m, gateM));
  }
}
