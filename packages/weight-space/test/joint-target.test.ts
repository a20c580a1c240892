// A raw target of the prediction's shape is solved in one batched call with the prediction (stacked on a new
// axis), and several module types of one shape can be grouped on leading axes: both must be invisible in the
// values and gradients.
import * as tf from '@tensorflow/tfjs';
import { describeEachStrategy } from './helpers/strategies';
import { describeEachBackend, expectClose } from '@loragen/test-utils';
import { WeightSpaceError, adapterLoss, angularLoss, groupFactors, spectralLoss } from '@loragen/weight-space';
import { type Factors, angular, numericGradient, spectral } from './helpers/reference';
import { randomFactors, rng, withSpectrum } from './helpers/random';
import { disposeFactors, flat, gradientTolerance, toFactors } from './helpers/tensors';

const rand = rng(17);
const pred = randomFactors(rand, 7, 6, 3);
const target = withSpectrum(rand, 7, 6, [3, 1, 0.2]);
// Two module types of one rank but different dOut x dIn, for groupFactors.
const types = [
  { pred: randomFactors(rand, 7, 6, 3), target: withSpectrum(rand, 7, 6, [2, 1, 0.5]) },
  { pred: randomFactors(rand, 4, 5, 3), target: randomFactors(rand, 4, 5, 3) },
];
// Two module types x two positions, all 7 x 6 with r = 3.
const grid = [0, 1].map(() => [0, 1].map(() => ({ pred: randomFactors(rand, 7, 6, 3), target: randomFactors(rand, 7, 6, 3) })));
const gridTensor = (key: 'pred' | 'target') => ({
  A: tf.tensor4d(grid.map((row) => row.map((c) => c[key].A))),
  B: tf.tensor4d(grid.map((row) => row.map((c) => c[key].B))),
});

describeEachBackend('raw target solved with the prediction; grouped module types', (backend) =>
  describeEachStrategy(backend, () => {
    it('gradients reach a raw target through the joint solve, equal to finite differences', async () => {
      const p = toFactors(pred);
      // Fixed k and uniform weights: the weights are constants, so finite differences see the same function.
      const ref = (t: Factors) => angular(pred, t) + 2 * spectral(pred, t, { k: 3, weights: 'uniform' });
      const fd = numericGradient(ref, target);
      const t = toFactors(target);
      const { value, grads } = tf.valueAndGrads((a: tf.Tensor, b: tf.Tensor) =>
        adapterLoss(p, { A: a, B: b }, { spectral: { k: 3, weights: 'uniform' } }),
      )([t.A, t.B]);
      expectClose(await value.data(), ref(target), { rtol: 1e-5 });
      expectClose(await grads[0].data(), flat(fd.A), gradientTolerance(flat(fd.A)));
      expectClose(await grads[1].data(), flat(fd.B), gradientTolerance(flat(fd.B)));
      tf.dispose([value, ...grads]);
      disposeFactors(p);
      disposeFactors(t);
    });

    it('module types stacked on a leading axis give each position its own loss', async () => {
      const [p, t] = [gridTensor('pred'), gridTensor('target')];
      const each = (f: (c: { pred: Factors; target: Factors }) => number) => grid.flatMap((row) => row.map(f));
      const ang = angularLoss(p, t, { reduction: 'none' });
      const spec = spectralLoss(p, t, { reduction: 'none', p: 2 });
      expect(ang.shape).toEqual([2, 2]);
      expectClose(
        await ang.data(),
        each((c) => angular(c.pred, c.target)),
        { rtol: 1e-5 },
      );
      expectClose(
        await spec.data(),
        each((c) => spectral(c.pred, c.target, { k: 'energy', p: 2 })),
        { rtol: 1e-5 },
      );
      tf.dispose([ang, spec]);
      disposeFactors(p);
      disposeFactors(t);
    });

    it('groupFactors: types with different dOut x dIn in one call give their own values and gradients', async () => {
      const opts = { reduction: 'none' as const, spectral: { k: 3, weights: 'uniform' as const } };
      const ref = (c: { pred: Factors; target: Factors }) => angular(c.pred, c.target) + 2 * spectral(c.pred, c.target, { k: 3, weights: 'uniform' });
      const preds = types.map((c) => toFactors(c.pred));
      const targets = types.map((c) => toFactors(c.target));
      const target = groupFactors(targets);
      expect(target.A.shape).toEqual([2, 3, 6]);
      expect(target.B.shape).toEqual([2, 7, 3]);
      const perType = adapterLoss(groupFactors(preds), target, opts);
      expectClose(await perType.data(), types.map(ref), { rtol: 1e-5 });
      // Gradient of the summed loss with respect to the second (padded) type's own factors.
      const fd = numericGradient((p) => ref({ pred: p, target: types[1].target }), types[1].pred);
      const loss = (a: tf.Tensor, b: tf.Tensor) => tf.sum(adapterLoss(groupFactors([preds[0], { A: a, B: b }]), target, opts));
      const { grads } = tf.valueAndGrads(loss)([preds[1].A, preds[1].B]);
      expectClose(await grads[0].data(), flat(fd.A), gradientTolerance(flat(fd.A)));
      expectClose(await grads[1].data(), flat(fd.B), gradientTolerance(flat(fd.B)));
      const rankTwo = { A: tf.zeros([2, 6]), B: tf.zeros([7, 2]) };
      expect(() => groupFactors([preds[0], rankTwo])).toThrow(WeightSpaceError);
      tf.dispose([perType, ...grads, target.A, target.B, rankTwo.A, rankTwo.B]);
      [...preds, ...targets].forEach(disposeFactors);
    });
  }),
);
