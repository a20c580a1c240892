import * as tf from '@tensorflow/tfjs';
import { angularLoss, spectralLoss } from '@loragen/weight-space';
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

function reconstruction(cfg: LoraGenConfig['autoencoder'], pred: FactorBatch, target: FactorBatch): tf.Scalar {
  if (cfg.supervision === 'factors') {
    return tf.add(tf.losses.meanSquaredError(target.A, pred.A), tf.losses.meanSquaredError(target.B, pred.B)) as tf.Scalar;
  }
  const { loss } = cfg;
  // a zero weight skips its term (the ablations "angular only" / "spectral only")
  const terms: tf.Tensor[] = [tf.scalar(0)];
  if (loss.angular > 0) terms.push(tf.mul(angularLoss(pred, target, { reduction: 'mean' }), loss.angular));
  if (loss.spectral > 0) {
    const spec = spectralLoss(pred, target, { k: 'energy', energyRatio: loss.energyRatio, p: loss.p, reduction: 'mean' });
    terms.push(tf.mul(spec, loss.spectral));
  }
  return tf.addN(terms) as tf.Scalar;
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
  const recon = tf.div(tf.addN(names.map((n, t) => reconstruction(cfg, decoded.factors[n], targets[t]))), names.length) as tf.Scalar;
  const kl = gaussianKl(posterior.mean, posterior.logVar);
  const balance = tf.mul(decoded.auxLoss, balanceWeight(cfg.loss, step)) as tf.Scalar;
  const total = tf.addN([recon, tf.mul(kl, cfg.loss.kl), balance]) as tf.Scalar;
  return { total, reconstruction: recon, kl, balance };
}
