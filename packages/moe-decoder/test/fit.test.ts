import * as tf from '@tensorflow/tfjs';
import { describeEachBackend, seededNormals } from '@loragen/test-utils';
import { ModuleAwareMoEDecoder } from '../src';
import { denseAngularLoss, randomAdapters } from './helpers/dense-angular';
import { gemmaLike, latents } from './helpers/layouts';

describeEachBackend('fit: 16 latents -> 16 random adapters of two module types', () => {
  it('reaches a mean angular loss on dW below 0.05', async () => {
    const layout = { ...gemmaLike, layers: 2 };
    const decoder = new ModuleAwareMoEDecoder({ ...layout, latentDim: 8, expertHidden: 64, random: seededNormals(3) });
    const z = latents(16, decoder.positions, 8, 11);
    const target = randomAdapters(layout.modules, 16, layout.layers, 100);
    const optimizer = tf.train.adam(5e-3);
    // evaluated with the temperature of the step reached, which the router's gates depend on
    const angularLossAt = async (step: number): Promise<number> => {
      const loss = tf.tidy(() => denseAngularLoss(decoder.decode(z, { step }).factors, target));
      const value = (await loss.data())[0];
      loss.dispose();
      return value;
    };
    let loss = Infinity;
    for (let step = 0; step < 1500 && loss >= 0.05; step++) {
      optimizer.minimize(() => {
        const out = decoder.decode(z, { training: true, step });
        return tf.add(denseAngularLoss(out.factors, target), tf.mul(1e-3, out.auxLoss)) as tf.Scalar;
      });
      if ((step + 1) % 25 === 0) loss = await angularLossAt(step + 1);
    }
    expect(loss).toBeLessThan(0.05);
    optimizer.dispose();
    tf.dispose([z, target]);
    decoder.dispose();
  });
});
