import * as tf from '@tensorflow/tfjs';
import { describeEachBackend, expectClose } from '@loragen/test-utils';
import { plainMatMul } from '../src/layers/plain-matmul';

describeEachBackend('plainMatMul', () => {
  // [5, 7] x [7, 3] takes dA through B^T (B is small); [2, 3] x [3, 40] through dy^T (B is the large side)
  it.each([
    [5, 7, 7, 3],
    [2, 3, 3, 40],
  ])("[%i, %i] x [%i, %i]: tf.matMul's value and gradients (checked against tfjs's own MatMul gradient)", async (m, k, _, n) => {
    const a = tf.randomNormal([m, k], 0, 1, 'float32', 1) as tf.Tensor2D;
    const b = tf.randomNormal([k, n], 0, 1, 'float32', 2) as tf.Tensor2D;
    const weights = tf.randomNormal([m, n], 0, 1, 'float32', 3);
    const loss = (mm: (x: tf.Tensor2D, y: tf.Tensor2D) => tf.Tensor) => (x: tf.Tensor, y: tf.Tensor) =>
      tf.sum(tf.mul(mm(x as tf.Tensor2D, y as tf.Tensor2D), weights));
    const ours = tf.grads(loss(plainMatMul))([a, b]);
    const theirs = tf.grads(loss((x, y) => tf.matMul(x, y)))([a, b]);
    const [value, reference] = [plainMatMul(a, b), tf.matMul(a, b)];
    expectClose(await value.data(), await reference.data(), { rtol: 1e-5, atol: 1e-6 });
    expectClose(await ours[0].data(), await theirs[0].data(), { rtol: 1e-5, atol: 1e-6 });
    expectClose(await ours[1].data(), await theirs[1].data(), { rtol: 1e-5, atol: 1e-6 });
    tf.dispose([a, b, weights, value, reference, ...ours, ...theirs]);
  });
});
