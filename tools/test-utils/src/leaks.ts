import * as tf from '@tensorflow/tfjs';

/**
 * Runs `block` and throws if it leaves more live tensors than it found.
 * Returns what the block returned (dispose it yourself if it is a tensor: it is counted).
 */
export async function expectNoLeaks<T>(block: () => T | Promise<T>): Promise<T> {
  const before = tf.memory().numTensors;
  const result = await block();
  const after = tf.memory().numTensors;
  if (after !== before) {
    throw new Error(`expectNoLeaks: ${after - before} tensor(s) leaked (${before} before, ${after} after)`);
  }
  return result;
}
