import * as tf from '@tensorflow/tfjs';
import { describeEachBackend, expectClose } from '@loragen/test-utils';
import { WeightSpaceError, angularLoss, denseAngularLoss, denseSingularValues, denseSpectralLoss, spectralLoss } from '@loragen/weight-space';
import { gaussian, randomFactors, rng } from './helpers/random';
import { singularValues } from './helpers/reference';
import { disposeFactors, toFactors } from './helpers/tensors';

describeEachBackend('dense path', () => {
  it('full-rank dense singular values match the float64 reference', async () => {
    const m = gaussian(rng(1), 9, 7);
    const sv = denseSingularValues(tf.tensor2d(m));
    expectClose(await sv.data(), singularValues(m), { rtol: 1e-5, atol: 1e-6 });
  });

  it('the subspace iteration is exact for low-rank updates (rank below min(m, n))', async () => {
    const f = randomFactors(rng(2), 30, 24, 3);
    const dW = tf.matMul(tf.tensor2d(f.B), tf.tensor2d(f.A));
    const sv = denseSingularValues(dW, { rank: 5 });
    const ref = singularValues(f.B.map((row) => f.A[0].map((_, j) => row.reduce((s, v, k) => s + v * f.A[k][j], 0))));
    const values = Array.from(await sv.data());
    expectClose(values.slice(0, 3), ref.slice(0, 3), { rtol: 1e-5 });
    // the two beyond dW's rank are zero (float32 rounding of sigma_1 at most), not merely left unchecked
    expectClose(values.slice(3), ref.slice(3, 5), { rtol: 0, atol: 1e-6 * ref[0] });
    tf.dispose([dW, sv]);
  });

  it('dense losses and gradients agree with the factored ones on dW = B A', async () => {
    const rand = rng(3);
    const pred = toFactors(randomFactors(rand, 12, 10, 3));
    const target = toFactors(randomFactors(rand, 12, 10, 2));
    const opts = { k: 2, p: 2 } as const;
    const factored = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.add(angularLoss({ A: a, B: b }, target), spectralLoss({ A: a, B: b }, target, opts)),
    )([pred.A, pred.B]);
    const targetDense = tf.matMul(target.B, target.A);
    const dense = tf.grads((a: tf.Tensor, b: tf.Tensor) => {
      const p = tf.matMul(b, a);
      return tf.add(denseAngularLoss(p, targetDense), denseSpectralLoss(p, targetDense, opts));
    })([pred.A, pred.B]);
    for (let i = 0; i < 2; i++) {
      const expected = Array.from(await factored[i].data());
      expectClose(await dense[i].data(), expected, { rtol: 1e-3, atol: 1e-3 * Math.max(...expected.map(Math.abs)) });
    }
    tf.dispose([...factored, ...dense, targetDense]);
    disposeFactors(pred);
    disposeFactors(target);
  });

  it('rejects a rank outside [1, min(m, n)]', () => {
    expect(() => denseSingularValues(tf.zeros([4, 3]), { rank: 4 })).toThrow(WeightSpaceError);
    expect(() => denseAngularLoss(tf.zeros([4, 3]), tf.zeros([3, 4]))).toThrow(/same shape/);
  });
});
