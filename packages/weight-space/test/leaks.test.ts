import * as tf from '@tensorflow/tfjs';
import { describeEachStrategy } from './helpers/strategies';
import { describeEachBackend, expectNoLeaks } from '@loragen/test-utils';
import { adapterLoss, angularLoss, denseSpectralLoss, prepareTarget, spectralLoss } from '@loragen/weight-space';
import { randomFactors, rng } from './helpers/random';
import { disposeFactors, toFactors } from './helpers/tensors';

describeEachBackend('no tensor leaks', (backend) =>
  describeEachStrategy(backend, () => {
    it('tf.memory().numTensors is unchanged across 100 calls with gradients', async () => {
      const rand = rng(11);
      const target = toFactors(randomFactors(rand, 10, 9, 3));
      const start = toFactors(randomFactors(rand, 10, 9, 4));
      const pred = { A: tf.variable(start.A), B: tf.variable(start.B) };
      disposeFactors(start);
      const prepared = prepareTarget(target);
      // Warm-up: backends allocate their own bookkeeping on first use.
      tf.dispose(tf.variableGrads(() => adapterLoss(pred, prepared) as tf.Scalar).grads);
      await expectNoLeaks(async () => {
        for (let i = 0; i < 100; i++) {
          const losses = [
            () => adapterLoss(pred, prepared),
            () => angularLoss(pred, target),
            () => spectralLoss(pred, target, { k: 2, p: 2, reduction: 'sum' }),
            () => denseSpectralLoss(tf.matMul(pred.B, pred.A), tf.matMul(target.B, target.A), { k: 2 }),
          ];
          const { value, grads } = tf.variableGrads(losses[i % losses.length] as () => tf.Scalar);
          await value.data();
          tf.dispose([value, ...Object.values(grads)]);
        }
      });
      prepared.dispose();
      disposeFactors(target);
      tf.dispose([pred.A, pred.B]);
    });
  }),
);
