// A 2-D matMul whose backward pass uses only untransposed matmuls. tfjs's own MatMul gradient calls matMul with
// transposeA / transposeB, which the wasm backend runs 5-30x slower than a plain matMul (measured on
// [24, 256] x [256, 32768], a FLAN-T5-large head: 945 ms for dW through transposeA, 77 ms as x^T dy with x^T
// materialised). Instead the smaller operands are transposed explicitly, which is cheap.
import * as tf from '@tensorflow/tfjs-core';

/** dA = dy B^T, through whichever of B^T or dy^T is smaller to materialise: dy B^T, or (B dy^T)^T. */
function gradientOfA(dy: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  const [m, n] = dy.shape;
  const k = b.shape[0];
  if (k * n <= m * n + m * k) return tf.matMul(dy, tf.transpose(b)) as tf.Tensor2D;
  return tf.transpose(tf.matMul(b, tf.transpose(dy))) as tf.Tensor2D;
}

const plain = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [a, b, save] = inputs as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [x, w] = saved as [tf.Tensor2D, tf.Tensor2D];
      // dB = A^T dy: A is the activations, [rows, k], never the large side here
      return [gradientOfA(dy as tf.Tensor2D, w), tf.matMul(tf.transpose(x), dy as tf.Tensor2D)];
    },
  };
});

/**
 * a [m, k] x b [k, n] with the same value and gradients as `tf.matMul(a, b)`, but a backward pass made of
 * untransposed matmuls and explicit transposes of the smaller operands: use it for large kernels trained on wasm.
 */
export function plainMatMul(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return plain(a, b) as tf.Tensor2D;
}
