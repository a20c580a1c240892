import * as tf from '@tensorflow/tfjs';
import { describeEachBackend } from '@loragen/test-utils';
import { ModuleAwareMoEDecoder } from '../src';
import { denseAngularLoss, randomAdapters } from './support/dense-angular';
import { gemmaLike, latents } from './support/layouts';

describeEachBackend('fit: 16 latents -> 16 random adapters of two module types', () => {
  it('reaches a mean angular loss on dW below 0.05', async () => {
    const layout = { ...gemmaLike, layers: 2 };
    const decoder = new ModuleAwareMoEDecoder({ ...layout, latentDim: 8, expertHidden: 64, seed: 3 });
    const z = latents(16, decoder.positions, 8, 11);
    const target = randomAdapters(layout.modules, 16, layout.layers, 100);
    const optimizer = tf.train.adam(5e-3);
    let loss = Infinity;
    for (let step = 0; step < 1500 && loss >= 0.05; step++) {
      const value = optimizer.minimize(() => {
        const out = decoder.decode(z, { training: true, step });
        return tf.add(denseAngularLoss(out.factors, target), tf.mul(1e-3, out.auxLoss)) as tf.Scalar;
      }, true);
      if (step % 25 === 0) loss = (await value!.data())[0];
      value!.dispose();
    }
    const fitted = decoder.decode(z);
    const final = denseAngularLoss(fitted.factors, target);
    expect((await final.data())[0]).toBeLessThan(0.05);
    tf.dispose([final, fitted as unknown as tf.TensorContainer]);
    optimizer.dispose();
    tf.dispose([z, target as unknown as tf.TensorContainer]);
    decoder.dispose();
  });
});
