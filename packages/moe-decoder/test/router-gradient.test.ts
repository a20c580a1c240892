import * as tf from '@tensorflow/tfjs';
import { describeEachBackend, seededNormals } from '@loragen/test-utils';
import { ModuleAwareMoEDecoder } from '../src';
import { denseAngularLoss, randomAdapters } from './helpers/dense-angular';
import { gemmaLike, latents } from './helpers/layouts';

/** max |g| over the router's kernel and bias, for the gradient of `loss` w.r.t. them. */
async function routerGradient(decoder: ModuleAwareMoEDecoder, loss: () => tf.Scalar): Promise<number> {
  const router = Object.entries(decoder.variables)
    .filter(([name]) => name.includes('router'))
    .map(([, v]) => v);
  expect(router.length).toBe(2);
  const { value, grads } = tf.variableGrads(loss, router);
  let largest = 0;
  for (const g of Object.values(grads)) largest = Math.max(largest, ...Array.from(await g.data(), Math.abs));
  tf.dispose([value, grads]);
  return largest;
}

describeEachBackend('router gradients', () => {
  const z = latents(2, gemmaLike.modules.length * gemmaLike.layers, 8, 5);
  const target = randomAdapters(gemmaLike.modules, 2, gemmaLike.layers, 50);
  const make = (topK: number): ModuleAwareMoEDecoder =>
    new ModuleAwareMoEDecoder({ ...gemmaLike, latentDim: 8, expertHidden: 16, topK, random: seededNormals(9) });
  const reconstruction = (d: ModuleAwareMoEDecoder) => () => denseAngularLoss(d.decode(z).factors, target);
  const balance = (d: ModuleAwareMoEDecoder) => () => d.decode(z).auxLoss;
  afterAll(() => tf.dispose([z, target]));

  it('K = 2: the reconstruction loss alone trains the router', async () => {
    const decoder = make(2);
    expect(await routerGradient(decoder, reconstruction(decoder))).toBeGreaterThan(1e-6);
    decoder.dispose();
  });

  it('K = 1: the reconstruction loss gives the router exactly zero gradient; the balance loss does not', async () => {
    const decoder = make(1);
    expect(await routerGradient(decoder, reconstruction(decoder))).toBe(0);
    const aux = decoder.decode(z).auxLoss; // the test needs an imbalanced start, where the hinge is active
    expect((await aux.data())[0]).toBeGreaterThan(0);
    aux.dispose();
    expect(await routerGradient(decoder, balance(decoder))).toBeGreaterThan(1e-6);
    decoder.dispose();
  });
});
