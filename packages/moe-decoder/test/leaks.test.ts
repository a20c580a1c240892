import * as tf from '@tensorflow/tfjs';
import { describeEachBackend, expectNoLeaks, seededNormals } from '@loragen/test-utils';
import { ModuleAwareMoEDecoder } from '../src';
import { denseAngularLoss, randomAdapters } from './helpers/dense-angular';
import { gemmaLike, latents } from './helpers/layouts';

describeEachBackend('memory', () => {
  it('50 training steps (decode, angular + balance loss, Adam) leave no tensors behind', async () => {
    const decoder = new ModuleAwareMoEDecoder({ random: seededNormals(0), ...gemmaLike, latentDim: 8, expertHidden: 16 });
    const z = latents(2, decoder.positions, 8, 1);
    const target = randomAdapters(gemmaLike.modules, 2, gemmaLike.layers, 7);
    const optimizer = tf.train.adam(1e-3);
    const step = (i: number): void => {
      optimizer.minimize(() => {
        const out = decoder.decode(z, { training: true, step: i });
        return tf.add(denseAngularLoss(out.factors, target), out.auxLoss) as tf.Scalar;
      });
    };
    step(0); // Adam creates its moment variables on the first step
    await expectNoLeaks(() => {
      for (let i = 1; i <= 50; i++) step(i);
    });
    optimizer.dispose();
    tf.dispose([z, target]);
    decoder.dispose();
  });

  it('dispose frees every tensor the decoder made', async () => {
    await expectNoLeaks(() => new ModuleAwareMoEDecoder({ random: seededNormals(0), ...gemmaLike, latentDim: 8, expertHidden: 16 }).dispose());
  });
});
