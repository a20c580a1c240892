import * as tf from '@tensorflow/tfjs';
import { adapterLoss, groupFactors } from '@loragen/weight-space';
import type { DecodeOutput } from '@loragen/moe-decoder';
import type { LoraGenConfig } from '../config/schema';
import type { FactorBatch } from './lora-autoencoder';

/** The scalar parts of one stage-1 loss evaluation. */
export interface AutoencoderLossParts {
  total: tf.Scalar;
  reconstruction: tf.Scalar;
  kl: tf.Scalar;
  balance: tf.Scalar;
}

/** KL(N(mean, exp(logVar)) || N(0, I)) summed over positions x latent dims, averaged over the batch. */
export function gaussianKl(mean: tf.Tensor3D, logVar: tf.Tensor3D): tf.Scalar {
  return tf.tidy(() => {
    const perElement = tf.sub(tf.add(tf.square(mean), tf.exp(logVar)), tf.add(logVar, 1));
    return tf.div(tf.mul(tf.sum(perElement), 0.5), mean.shape[0]) as tf.Scalar;
  });
}

/** The MoE balance weight: linear warm-up from 0 to `balance` over `balanceWarmupSteps`. */
export function balanceWeight(loss: LoraGenConfig['autoencoder']['loss'], step: number): number {
  if (loss.balanceWarmupSteps === 0) return loss.balance;
  return loss.balance * Math.min(1, step / loss.balanceWarmupSteps);
}

/** Element-wise A/B reconstruction (the D2NWG / Text-to-LoRA style baseline), averaged over module types. */
function factorReconstruction(preds: FactorBatch[], targets: FactorBatch[]): tf.Scalar {
  const perType = preds.map((p, t) => tf.add(tf.losses.meanSquaredError(targets[t].A, p.A), tf.losses.meanSquaredError(targets[t].B, p.B)));
  return tf.div(tf.addN(perType), preds.length) as tf.Scalar;
}

/**
 * Angular + spectral loss on dW, averaged over positions within a module type and then over module types. The
 * module types of one rank go through ONE batched loss call (weight-space's `groupFactors`): the losses' cost is
 * kernel launches, not arithmetic, so six FLAN-T5 module types cost about what one does.
 */
function deltaReconstruction(cfg: LoraGenConfig['autoencoder'], preds: FactorBatch[], targets: FactorBatch[]): tf.Scalar {
  const { loss } = cfg;
  const typesByRank = new Map<number, number[]>();
  preds.forEach((p, t) => typesByRank.set(p.A.shape[2], [...(typesByRank.get(p.A.shape[2]) ?? []), t]));
  const groupSums = [...typesByRank.values()].map((types) => {
    const pick = (xs: FactorBatch[]) => (types.length === 1 ? xs[types[0]] : groupFactors(types.map((t) => xs[t])));
    const perPosition = adapterLoss(pick(preds), pick(targets), {
      angularWeight: loss.angular,
      spectralWeight: loss.spectral,
      spectral: { k: 'energy', energyRatio: loss.energyRatio, p: loss.p },
      reduction: 'none',
    });
    // every type has the same number of positions, so mean x count = the sum of the per-type means
    return tf.mul(tf.mean(perPosition), types.length);
  });
  return tf.div(tf.addN(groupSums), preds.length) as tf.Scalar;
}

/** Stage 1's reconstruction term: angular + spectral on dW, or element-wise on A/B for `supervision: 'factors'`. */
export function reconstructionLoss(
  cfg: LoraGenConfig['autoencoder'],
  decoded: DecodeOutput,
  targets: FactorBatch[],
  names: readonly string[],
): tf.Scalar {
  const preds = names.map((n) => decoded.factors[n] as FactorBatch);
  return cfg.supervision === 'factors' ? factorReconstruction(preds, targets) : deltaReconstruction(cfg, preds, targets);
}

/**
 * Stage-1 loss: reconstruction (angular + spectral on dW, or element-wise on A/B for `supervision: 'factors'`),
 * averaged over module types, + beta KL + lambda(step) * the decoder's auxiliary (balance) loss.
 */
export function autoencoderLoss(
  cfg: LoraGenConfig['autoencoder'],
  step: number,
  decoded: DecodeOutput,
  targets: FactorBatch[],
  names: readonly string[],
  posterior: { mean: tf.Tensor3D; logVar: tf.Tensor3D },
): AutoencoderLossParts {
  const recon = reconstructionLoss(cfg, decoded, targets, names);
  const kl = gaussianKl(posterior.mean, posterior.logVar);
  const balance = tf.mul(decoded.auxLoss, balanceWeight(cfg.loss, step)) as tf.Scalar;
  const total = tf.addN([recon, tf.mul(kl, cfg.loss.kl), balance]) as tf.Scalar;
  return { total, reconstruction: recon, kl, balance };
}
