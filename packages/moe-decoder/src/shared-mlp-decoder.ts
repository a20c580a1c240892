// The ablation baseline: one MLP shared by every position, no structural embeddings, no experts, no
// module heads. Its last layer is as wide as the largest module type's factors; smaller types read a prefix.
import * as tf from '@tensorflow/tfjs-core';
import { checkRandom, positiveInteger } from './config';
import { DecoderBase } from './decoder-base';
import { factorSize, splitFactors } from './heads/factor-layout';
import { linear, silu, type Linear } from './layers/linear';
import { checkLatents, moduleRows } from './layout/positions';
import type { DecodeOutput, FactorPair, ModuleSpec, NormalSource } from './types';

/** Config of {@link SharedMLPDecoder}. */
export interface SharedMLPDecoderConfig {
  /** the module types, in position order (positions are layer-major) */
  modules: ModuleSpec[];
  /** number of layers */
  layers: number;
  /** size of one position's latent */
  latentDim: number;
  /** width of the two hidden layers @default 256 */
  hidden?: number;
  /** where the initial weights are drawn from, in variable creation order (e.g. latent-diffusion's SeededRng) */
  random: NormalSource;
}

/** z_p -> Linear, SiLU, Linear, SiLU, Linear -> the factor values of p's module type. Variables `mlp/<i>/...`. */
export class SharedMLPDecoder extends DecoderBase {
  private readonly mlp: Linear[];

  constructor(config: SharedMLPDecoderConfig) {
    super(config, checkRandom(config));
    const hidden = positiveInteger(config.hidden ?? 256, 'hidden');
    const widest = Math.max(...this.modules.map(factorSize));
    this.mlp = [
      linear(this.store, 'mlp/0', this.latentDim, hidden),
      linear(this.store, 'mlp/1', hidden, hidden),
      linear(this.store, 'mlp/2', hidden, widest),
    ];
  }

  /** Takes no options: this decoder has no schedule and no dropout. */
  decode(z: tf.Tensor3D): DecodeOutput {
    checkLatents(z, this.positions, this.latentDim);
    return tf.tidy(() => {
      const batch = z.shape[0];
      const [first, second, out] = this.mlp;
      const flat = tf.reshape(z, [batch * this.positions, this.latentDim]) as tf.Tensor2D;
      const values = out(silu(second(silu(first(flat)))));
      const perPosition = tf.reshape(values, [batch, this.positions, values.shape[1]]) as tf.Tensor3D;
      const factors: Record<string, FactorPair> = {};
      this.modules.forEach((spec, m) => {
        factors[spec.name] = splitFactors(moduleRows(perPosition, m, this.modules.length, this.layers), spec, batch, this.layers);
      });
      return { factors, auxLoss: tf.scalar(0) };
    });
  }
}
