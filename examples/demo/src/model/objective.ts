// The classification objective and its accuracy, shared by pre-training, LoRA training and evaluation.
import * as tf from '@tensorflow/tfjs';
import type { Examples } from '../tasks/family';
import { INPUT_LENGTH } from '../tasks/vocabulary';

/** Token ids of a batch as a tensor [count, INPUT_LENGTH]. */
export const inputsTensor = (examples: Examples): tf.Tensor2D => tf.tensor2d(examples.inputs, [examples.count, INPUT_LENGTH], 'int32');

/**
 * Mean softmax cross-entropy of logits [n, classes] against the examples' target probabilities when they carry
 * them (distillation from a teacher), else against their integer labels.
 */
export function crossEntropy(logits: tf.Tensor2D, examples: Examples): tf.Scalar {
  return tf.tidy(() => {
    const [n, classes] = logits.shape;
    const targets = examples.targets ? tf.tensor2d(examples.targets, [n, classes]) : tf.oneHot(tf.tensor1d(examples.labels, 'int32'), classes);
    return tf.losses.softmaxCrossEntropy(targets, logits) as tf.Scalar;
  });
}

/** Fraction of rows whose arg-max class equals the label. */
export async function accuracyOf(logits: tf.Tensor2D, labels: Int32Array): Promise<number> {
  const predicted = tf.argMax(logits, -1);
  const values = await predicted.data();
  predicted.dispose();
  let correct = 0;
  for (let i = 0; i < labels.length; i++) if (values[i] === labels[i]) correct++;
  return correct / labels.length;
}
