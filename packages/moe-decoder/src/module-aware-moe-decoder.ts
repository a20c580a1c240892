// LoRAGen's module-aware routed mixture-of-experts decoder: per position, [z ; e_module ; e_layer] -> router ->
// top-K gated experts -> the head of that position's module type -> (A, B).
import * as tf from '@tensorflow/tfjs-core';
import { resolveMoEConfig, type ModuleAwareMoEDecoderConfig, type ResolvedMoEConfig } from './config';
import { denseExperts, type Experts } from './experts/dense-experts';
import { directHead } from './heads/direct-head';
import type { ModuleHead } from './heads/factor-layout';
import { factorisedHead } from './heads/factorised-head';
import { linear, type Linear } from './layers/linear';
import { plainMatMul } from './layers/plain-matmul';
import { checkLatents, moduleRows, positionOneHots } from './layout/positions';
import { DecoderBase } from './decoder-base';
import { balanceLoss } from './routing/balance-loss';
import { temperatureAt } from './routing/temperature';
import { topKGates } from './routing/top-k-gating';
import type { DecodeOptions, DecodeOutput, FactorPair, RouterStats } from './types';

/** What {@link ModuleAwareMoEDecoder.decode} returns: stats are always present. */
export type MoEDecodeOutput = DecodeOutput & { stats: RouterStats };

/**
 * The module-aware MoE decoder of LoRAGen. Variables are named `embed/module`, `embed/layer`, `router/kernel`,
 * `router/bias`, `experts/...` and `heads/<module name>/...`; initial weights are drawn from `config.random`.
 *
 * @example
 * const random = new SeededRng(0, { algorithm: 'mulberry32' }); // from @loragen/latent-diffusion, or any NormalSource
 * const decoder = new ModuleAwareMoEDecoder({ modules: [{ name: 'q', dIn: 64, dOut: 64, rank: 4 }], layers: 2, latentDim: 8, random });
 * const { factors, auxLoss } = decoder.decode(tf.randomNormal([1, 2, 8]), { training: true, step: 0 });
 */
export class ModuleAwareMoEDecoder extends DecoderBase {
  readonly config: Readonly<ResolvedMoEConfig>;
  private readonly oneHots: { module: tf.Tensor2D; layer: tf.Tensor2D };
  private readonly moduleEmbed: tf.Variable;
  private readonly layerEmbed: tf.Variable;
  private readonly router: Linear;
  private readonly experts: Experts;
  private readonly heads: ModuleHead[];

  constructor(config: ModuleAwareMoEDecoderConfig) {
    const c = resolveMoEConfig(config);
    super(c, c.random);
    this.config = c;
    this.oneHots = positionOneHots(c.modules.length, c.layers);
    this.moduleEmbed = this.store.normal('embed/module', [c.modules.length, c.moduleEmbedDim], 1);
    this.layerEmbed = this.store.normal('embed/layer', [c.layers, c.layerEmbedDim], 1);
    const inDim = c.latentDim + c.moduleEmbedDim + c.layerEmbedDim;
    this.router = linear(this.store, 'router', inDim, c.numExperts);
    this.experts = denseExperts(this.store, c.numExperts, inDim, c.expertHidden);
    this.heads = c.modules.map((spec) =>
      c.head === 'direct' ? directHead(this.store, spec, c.expertHidden) : factorisedHead(this.store, spec, c.expertHidden, c.headRank),
    );
  }

  /** The router temperature used at `step` (the end of the schedule when omitted). */
  temperature(step?: number): number {
    return temperatureAt(this.config.temperature, step);
  }

  decode(z: tf.Tensor3D, options: DecodeOptions = {}): MoEDecodeOutput {
    checkLatents(z, this.positions, this.latentDim);
    const c = this.config;
    const tau = this.temperature(options.step);
    return tf.tidy(() => {
      const batch = z.shape[0];
      const h = this.structuralEmbedding(z);
      const logits = tf.div(this.router(h), tau) as tf.Tensor2D;
      const { gates, mask } = topKGates(logits, c.topK);
      const { loss, stats } = balanceLoss(logits, mask, c.balanceLoss);
      const mixed = tf.reshape(this.experts(h, gates), [batch, this.positions, c.expertHidden]) as tf.Tensor3D;
      const factors: Record<string, FactorPair> = {};
      this.modules.forEach((spec, m) => {
        factors[spec.name] = this.heads[m](moduleRows(mixed, m, this.modules.length, this.layers), batch, this.layers);
      });
      return { factors, auxLoss: loss, stats };
    });
  }

  /** h_p = [z_p ; e_module(p) ; e_layer(p)] for every token: [batch * positions, latentDim + embedding sizes]. */
  private structuralEmbedding(z: tf.Tensor3D): tf.Tensor2D {
    const { moduleEmbedDim, layerEmbedDim } = this.config;
    const batch = z.shape[0];
    const perPosition = tf.concat(
      [plainMatMul(this.oneHots.module, this.moduleEmbed as tf.Tensor2D), plainMatMul(this.oneHots.layer, this.layerEmbed as tf.Tensor2D)],
      1,
    );
    const structure = tf.broadcastTo(tf.expandDims(perPosition, 0), [batch, this.positions, moduleEmbedDim + layerEmbedDim]);
    const h = tf.concat([z, structure], 2);
    return tf.reshape(h, [batch * this.positions, this.latentDim + moduleEmbedDim + layerEmbedDim]);
  }

  override dispose(): void {
    super.dispose();
    this.oneHots.module.dispose();
    this.oneHots.layer.dispose();
  }
}
