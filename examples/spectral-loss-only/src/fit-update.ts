// A user's own training loop: fit a rank-r LoRA update to a target update with the paper's losses, taken from
// @loragen/weight-space and nothing else of LoRAGen. The factors never multiply into dOut x dIn.
import * as tf from '@tensorflow/tfjs';
import { angularLoss, prepareTarget, spectralLoss } from '@loragen/weight-space';

export interface FitOptions {
  /** Loss to train: the spectral loss alone, or angular + 2 x spectral (the paper's reconstruction loss). */
  objective: 'spectral' | 'angular+spectral';
  steps?: number;
  dOut?: number;
  dIn?: number;
  rank?: number;
  seed?: number;
}

export interface FitReport {
  /** The training loss at the first and the last step. */
  firstLoss: number;
  lastLoss: number;
  /** The target's and the fitted update's singular values. */
  targetSigma: number[];
  fittedSigma: number[];
  /** 1 - cos(dW_fit, dW_target): 0 when the fitted update points the same way. */
  angular: number;
  /** The factors themselves (A [rank, dIn], B [dOut, rank]), to check the numbers above by other means. */
  target: { A: number[][]; B: number[][] };
  fitted: { A: number[][]; B: number[][] };
}

export async function fitUpdate(opts: FitOptions): Promise<FitReport> {
  const { objective, steps = 150, dOut = 32, dIn = 24, rank = 4, seed = 1 } = opts;
  // LoRA-sized updates: singular values of order 1 (as after PEFT's scaling), where the two losses have
  // gradients of comparable size.
  const std = 1 / Math.sqrt(Math.sqrt(dOut * dIn));
  const target = {
    A: tf.randomNormal([rank, dIn], 0, std, 'float32', seed),
    B: tf.randomNormal([dOut, rank], 0, std, 'float32', seed + 1),
  };
  const pred = {
    A: tf.variable(tf.randomNormal([rank, dIn], 0, std, 'float32', seed + 2)),
    B: tf.variable(tf.randomNormal([dOut, rank], 0, std, 'float32', seed + 3)),
  };
  // The target never changes: its singular values are computed once.
  const prepared = prepareTarget(target);
  const optimizer = tf.train.adam(0.01);
  const loss = () =>
    tf.tidy(() => {
      const spectral = spectralLoss(pred, prepared, { k: rank, weights: 'uniform', p: 2 });
      return (objective === 'spectral' ? spectral : tf.add(angularLoss(pred, prepared), tf.mul(spectral, 2))) as tf.Scalar;
    });
  let firstLoss = NaN;
  let lastLoss = NaN;
  for (let step = 0; step < steps; step++) {
    const value = optimizer.minimize(loss, true) as tf.Scalar;
    lastLoss = (await value.data())[0];
    if (step === 0) firstLoss = lastLoss;
    value.dispose();
  }
  const angular = angularLoss(pred, prepared);
  const report: FitReport = {
    firstLoss,
    lastLoss,
    targetSigma: Array.from(await prepared.singularValues.data()),
    fittedSigma: Array.from(await spectralSigma(pred)),
    angular: (await angular.data())[0],
    target: { A: (await target.A.array()) as number[][], B: (await target.B.array()) as number[][] },
    fitted: { A: (await pred.A.array()) as number[][], B: (await pred.B.array()) as number[][] },
  };
  tf.dispose([angular, target.A, target.B, pred.A, pred.B]);
  prepared.dispose();
  optimizer.dispose();
  return report;
}

async function spectralSigma(f: { A: tf.Tensor; B: tf.Tensor }): Promise<Float32Array> {
  const prepared = prepareTarget(f);
  const values = (await prepared.singularValues.data()) as Float32Array;
  prepared.dispose();
  return values;
}
