import * as tf from '@tensorflow/tfjs-core';

/**
 * tf.tidy for a block returning a structured output: tidy keeps every tensor nested in the result, but its
 * typing only accepts index-signature containers, which interfaces such as DecodeOutput are not.
 */
export function tidyOutput<T extends object>(block: () => T): T {
  return tf.tidy(block as unknown as () => tf.TensorContainer) as unknown as T;
}
