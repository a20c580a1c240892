// matMulTransposedB / rowGram: x y^T against a float64 host product, on every backend, at the shapes where
// tfjs-backend-webgpu 4.22's split-K program misreads a transposed operand (one batch, small output, k >= 2000,
// k and n multiples of 4) and at shapes beside them.
import * as tf from '@tensorflow/tfjs';
import { describeEachBackend, expectNoLeaks, hostProductTransposed } from '@loragen/test-utils';
import { matMulTransposedB, rowGram } from '../src/linalg/mat-mul';

const shapes: Array<[batch: number, m: number, n: number, k: number]> = [
  [1, 48, 48, 4096], // a Llama-layout merge's Gram of three rank-16 factors
  [1, 16, 32, 2048],
  [1, 48, 48, 2004],
  [1, 48, 50, 4096], // n not a multiple of 4
  [2, 16, 16, 4096], // two positions
  [1, 8, 8, 64],
];

describeEachBackend('matMulTransposedB', () => {
  it.each(shapes)('batch %i, %i x %i, inner %i: matches the float64 product to 1e-5 of its largest entry', async (batch, m, n, k) => {
    const x = tf.randomNormal([batch, m, k], 0, 1 / Math.sqrt(k), 'float32', 11);
    const y = tf.randomNormal([batch, n, k], 0, 1 / Math.sqrt(k), 'float32', 12);
    const [xs, ys, got] = [await x.data(), await y.data(), await matMulTransposedB(x, y).data()] as Float32Array[];
    for (let b = 0; b < batch; b++) {
      const want = hostProductTransposed(xs.subarray(b * m * k), ys.subarray(b * n * k), m, n, k);
      const scale = Math.max(...want.map(Math.abs));
      want.forEach((w, i) => expect(Math.abs(got[b * m * n + i] - w)).toBeLessThanOrEqual(1e-5 * scale));
    }
    tf.dispose([x, y]);
  });

  it('rowGram is x x^T (the float64 reference), and neither function leaks tensors', async () => {
    const x = tf.randomNormal([1, 48, 4096], 0, 1 / 64, 'float32', 13);
    const [xs, gram] = [(await x.data()) as Float32Array, (await rowGram(x).data()) as Float32Array];
    const want = hostProductTransposed(xs, xs, 48, 48, 4096);
    want.forEach((w, i) => expect(Math.abs(gram[i] - w)).toBeLessThanOrEqual(1e-5 * want[0]));
    await expectNoLeaks(async () => tf.dispose([rowGram(x), matMulTransposedB(x, x)]));
    x.dispose();
  });
});
