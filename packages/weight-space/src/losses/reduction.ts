import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { WeightSpaceError } from '../errors';
import type { LossReduction } from '../types';

/** Applies a {@link LossReduction} to per-position losses. */
export function reduceLoss(perPosition: Tensor, reduction: LossReduction = 'mean'): Tensor {
  if (reduction === 'none') return perPosition;
  if (reduction === 'mean') return tf.mean(perPosition);
  if (reduction === 'sum') return tf.sum(perPosition);
  throw new WeightSpaceError(`reduction must be 'mean', 'sum' or 'none' (got ${String(reduction)})`);
}
