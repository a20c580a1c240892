// A 2-D matMul whose backward pass uses only untransposed matmuls. tfjs's own MatMul gradient calls matMul with
// transposeA / transposeB, which the wasm backend runs 5-30x slower than a plain matMul (measured on
// [24, 256] x [256, 32768], a FLAN-T5-large head: 945 ms for dW through transposeA, 77 ms as x^T dy with x^T
// materialised). Transposing the small operands explicitly is cheap; the large kernel is never transposed.
import * as tf from '@tensorflow/tfjs-core';

const plain = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [a, b, save] = inputs as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [x, w] = saved as [tf.Tensor2D, tf.Tensor2D];
      const dyT = tf.transpose(dy as tf.Tensor2D);
      // dA = dy B^T = (B dy^T)^T ; dB = A^T dy
      return [tf.transpose(tf.matMul(w, dyT)), tf.matMul(tf.transpose(x), dy as tf.Tensor2D)];
    },
  };
});

/** a [m, k] x b [k, n], differentiable in both, fast on wasm in both directions. */
export function plainMatMul(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return plain(a, b) as tf.Tensor2D;
}
