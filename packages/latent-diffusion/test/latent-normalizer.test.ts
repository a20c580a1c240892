import * as tf from '@tensorflow/tfjs';
import { describeEachBackend, expectClose } from '@loragen/test-utils';
import { LatentDiffusionError, LatentNormalizer } from '../src';

describeEachBackend('LatentNormalizer', () => {
  const values = [-4, 2, 1, 3];

  test('max-abs (the reference): shift 0, scale max |z|, so normalised values lie in [-1, 1]', async () => {
    const z = tf.tensor2d(values, [2, 2]);
    const n = await LatentNormalizer.fit(z);
    expect(n.toJSON()).toEqual({ shift: 0, scale: 4 });
    expectClose(await n.normalize(z).data(), [-1, 0.5, 0.25, 0.75]);
    z.dispose();
  });

  test('standardize: shift mean, scale population std; denormalize inverts normalize', async () => {
    const z = tf.tensor2d(values, [2, 2]);
    const n = await LatentNormalizer.fit(z, 'standardize');
    const mean = 0.5;
    const std = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / 4);
    expectClose([n.shift, n.scale], [mean, std], { rtol: 1e-6 });
    const back = n.denormalize(n.normalize(z));
    expectClose(await back.data(), values, { rtol: 1e-6, atol: 1e-6 });
    tf.dispose([z, back]);
  });

  test('rejects constant latents and invalid states', async () => {
    const z = tf.zeros([2, 2]);
    await expect(LatentNormalizer.fit(z)).rejects.toThrow(/latents are constant/);
    z.dispose();
    // NaN is not 'zero spread': it is named as what it is, with a hint where to look
    const nan = tf.tensor1d([1, NaN, 2]);
    await expect(LatentNormalizer.fit(nan, 'standardize')).rejects.toThrow(/hold non-finite values[\s\S]*hint: find where NaN or Inf entered/);
    nan.dispose();
    expect(() => new LatentNormalizer({ shift: 0, scale: 0 })).toThrow(LatentDiffusionError);
  });
});
