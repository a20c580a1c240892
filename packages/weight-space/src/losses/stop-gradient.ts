import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import type { CustomGradientFunc } from '../linalg/custom-grad';

/**
 * f(x) with a zero gradient for x: marks values the paper treats as constants (the spectral weights). The ops
 * of f run inside one custom op, so the tape never meets their comparisons (which have no gradient).
 */
export function constantOf(x: Tensor, f: (x: Tensor) => Tensor): Tensor {
  const op = tf.customGrad(((input: Tensor) => ({
    value: f(input),
    gradFunc: (_dy: Tensor) => tf.zerosLike(input),
  })) as CustomGradientFunc<Tensor>);
  return op(x);
}
