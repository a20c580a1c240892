// The SIMD product kernels behind the gradients, as tfjs ops: values and their own gradients against tf.matMul.
import * as tf from '@tensorflow/tfjs';
import { describeEachBackend, expectClose } from '@loragen/test-utils';
import { type Term, leftMul, rightMul, simdKernelsActive } from '../src/host/registry';

// Each product of `terms` pairs (u, v), u [2, rows, q] and v [2, q, cols], against the sum of tf.matMul(u, v);
// the second term has its own q.
const cases: { name: string; product: (terms: Term[]) => tf.Tensor; rows: number; cols: number; q: [number, number] }[] = [
  // M [2, 3, q] X [2, q, 32] (length a multiple of 16: the kernel serves it)
  { name: 'leftMul', product: leftMul, rows: 3, cols: 32, q: [5, 4] },
  // X [2, 20, q] M [2, q, 8] (p a multiple of 4)
  { name: 'rightMul', product: rightMul, rows: 20, cols: 8, q: [5, 3] },
];

describeEachBackend('SIMD product kernels', (backend) => {
  for (const { name, product, rows, cols, q } of cases) {
    const shapes = q.flatMap((qt) => [
      [2, rows, qt],
      [2, qt, cols],
    ]);
    for (const terms of [1, 2]) {
      it(`${name}, ${terms} term(s): value and gradients match tf.matMul`, async () => {
        expect(simdKernelsActive()).toBe(backend !== 'webgpu');
        const operands = shapes.slice(0, 2 * terms).map((shape, i) => tf.randomNormal(shape, 0, 1, 'float32', 10 + i));
        const weights = tf.randomNormal(tf.matMul(operands[0], operands[1]).shape, 0, 1, 'float32', 99);
        const pairs = (xs: tf.Tensor[]) => Array.from({ length: terms }, (_, t) => [xs[2 * t], xs[2 * t + 1]] as Term);
        const ours = tf.valueAndGrads((...xs: tf.Tensor[]) => tf.sum(tf.mul(product(pairs(xs)), weights)));
        const reference = tf.valueAndGrads((...xs: tf.Tensor[]) => tf.sum(tf.mul(tf.addN(pairs(xs).map(([u, v]) => tf.matMul(u, v))), weights)));
        const [a, b] = [ours(operands), reference(operands)];
        expectClose(await a.value.data(), await b.value.data(), { rtol: 1e-5, atol: 1e-4 });
        for (let i = 0; i < operands.length; i++) expectClose(await a.grads[i].data(), await b.grads[i].data(), { rtol: 1e-5, atol: 1e-4 });
        tf.dispose([...operands, weights, a.value, ...a.grads, b.value, ...b.grads]);
      });
    }
  }
});
