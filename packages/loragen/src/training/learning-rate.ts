import type * as tf from '@tensorflow/tfjs';
import type { LoraGenConfig } from '../config/schema';

export type LearningRateSchedule = LoraGenConfig['autoencoder']['learningRateSchedule'];

/**
 * The learning rate of 0-based `step` of `total`: a linear warm-up over `warmupSteps`, then the peak held
 * (`'constant'`, the paper's) or decayed along a half cosine to `minFactor` x peak at the last step.
 */
export function scheduledLearningRate(peak: number, step: number, total: number, schedule: LearningRateSchedule): number {
  const { warmupSteps, decay, minFactor } = schedule;
  if (step < warmupSteps) return (peak * (step + 1)) / warmupSteps;
  if (decay === 'constant') return peak;
  const span = Math.max(1, total - warmupSteps - 1);
  const progress = Math.min(1, (step - warmupSteps) / span);
  return peak * (minFactor + (1 - minFactor) * 0.5 * (1 + Math.cos(Math.PI * progress)));
}

/** Sets the rate of an Adam optimiser's next step: tfjs reads its (protected) `learningRate` field at every step. */
export function setLearningRate(optimizer: tf.AdamOptimizer, rate: number): void {
  (optimizer as unknown as { learningRate: number }).learningRate = rate;
}
