// A DiT-style denoiser (Peebles & Xie 2023) for latent sets [batch, tokens, channels]: token projection, a learned
// embedding per position, sinusoidal + MLP timestep embedding, adaLN-Zero modulation from time + condition,
// optional cross-attention to condition tokens, pre-norm blocks. Every block and the output layer start as zero
// maps, so the untrained model predicts 0 and training begins from the identity.
import * as tf from '@tensorflow/tfjs-core';
import { LatentDiffusionError } from '../errors';
import type { Denoiser } from '../samplers/types';
import { dense, layerNorm, modulate, multiHeadAttention, silu, sinusoidalEmbedding } from './layers';
import { ParameterFactory, type ParameterMap } from './parameters';

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
    for (const [name, variable] of Object.entries(this.variables)) {
      const value = state[name];
      if (!value) {
        throw new LatentDiffusionError(`DiT.loadStateDict: missing '${name}'; was it saved from a different config?`);
      }
      if (!tf.util.arraysEqual(value.shape, variable.shape)) {
        throw new LatentDiffusionError(
          `DiT.loadStateDict: '${name}' has shape [${value.shape}], the model expects [${variable.shape}]`,
        );
      }
    }
    for (const [name, variable] of Object.entries(this.variables)) variable.assign(state[name]);
  }

  /** The model as the `Denoiser` function `sample` takes (cond `null` means the learned null condition). */
  asDenoiser(): Denoiser {
    return (xt, t, cond) => this.predict(xt, t, cond);
  }

  predict(xt: tf.Tensor, t: tf.Tensor, cond: tf.Tensor | null, keep: tf.Tensor | null = null): tf.Tensor {
    const c = this.config;
    if (xt.rank !== 3 || xt.shape[1] !== c.tokens || xt.shape[2] !== c.channels) {
      throw new LatentDiffusionError(`DiT: xt must be [batch, ${c.tokens}, ${c.channels}], got [${xt.shape}]`);
    }
    return tf.tidy(() => {
      const batch = xt.shape[0];
      const tokens = this.conditionTokens(cond, keep, batch);
      let ctx = dense(silu(dense(sinusoidalEmbedding(t, c.timeFeatures), this.time1.kernel, this.time1.bias)),
        this.time2.kernel, this.time2.bias);
      if (tokens) ctx = tf.add(ctx, dense(tf.mean(tokens, 1), this.condProj!.kernel, this.condProj!.bias));
      const ctxAct = silu(ctx);
      let x = tf.add(dense(xt, this.inProj.kernel, this.inProj.bias), this.posEmbed);
      for (const block of this.blocks) x = this.block(x, ctxAct, block, tokens);
      const [shift, scale] = tf.split(dense(ctxAct, this.finalAdaLN.kernel, this.finalAdaLN.bias), 2, 1);
      return dense(modulate(layerNorm(x), shift, scale), this.outProj.kernel, this.outProj.bias);
    });
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
    const k = tf.reshape(keep, [batch, 1, 1]);
    return tf.add(tf.mul(tokens, k), tf.mul(nullToken, tf.sub(1, k)));
  }

  private block(x: tf.Tensor, ctx: tf.Tensor, b: Block, condTokens: tf.Tensor | null): tf.Tensor {
    const w = this.config.width;
    const heads = this.config.heads;
    const mod = tf.split(dense(ctx, b.adaLN.kernel, b.adaLN.bias), this.config.crossAttention ? 7 : 6, 1);
    const [shiftA, scaleA, gateA, shiftM, scaleM, gateM] = mod;
    const gated = (y: tf.Tensor, gate: tf.Tensor) => tf.mul(y, tf.expandDims(gate, 1));

    const h = modulate(layerNorm(x), shiftA, scaleA);
    const [q, k, v] = tf.split(dense(h, b.qkv.kernel, b.qkv.bias), 3, 2);
    x = tf.add(x, gated(dense(multiHeadAttention(q, k, v, heads), b.attnOut.kernel, b.attnOut.bias), gateA));

    if (b.crossQ && condTokens) {
      const cq = dense(layerNorm(x), b.crossQ.kernel, b.crossQ.bias);
      const [ck, cv] = tf.split(dense(condTokens, b.crossKV!.kernel, b.crossKV!.bias), [w, w], 2);
      const cross = dense(multiHeadAttention(cq, ck, cv, heads), b.crossOut!.kernel, b.crossOut!.bias);
      x = tf.add(x, gated(cross, mod[6]));
    }

    const m = dense(silu(dense(modulate(layerNorm(x), shiftM, scaleM), b.fc1.kernel, b.fc1.bias)), b.fc2.kernel,
      b.fc2.bias);
    return tf.add(x, gated(m, gateM));
  }
}
