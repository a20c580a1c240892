import * as tf from '@tensorflow/tfjs';
import { angularLoss, spectralLoss } from '@loragen/weight-space';
import { describeEachBackend, expectClose } from '@loragen/test-utils';
import { autoencoderLoss, resolveConfig } from '../src';
import type { FactorBatch } from '../src';

// Three module types, two sharing rank 2 at different shapes and one of rank 3: the grouped loss must equal the
// per-type losses computed one by one, averaged over types.
const SHAPES = [
  { name: 'q', rank: 2, dIn: 6, dOut: 5 },
  { name: 'v', rank: 2, dIn: 6, dOut: 3 },
  { name: 'o', rank: 3, dIn: 4, dOut: 6 },
];

function factors(seed: number): FactorBatch[] {
  return SHAPES.map((s, i) => ({
    A: tf.randomNormal([2, 3, s.rank, s.dIn], 0, 1, 'float32', seed + 2 * i) as tf.Tensor4D,
    B: tf.randomNormal([2, 3, s.dOut, s.rank], 0, 1, 'float32', seed + 2 * i + 1) as tf.Tensor4D,
  }));
}

describeEachBackend('autoencoderLoss reconstruction', () => {
  it('equals the mean over module types of angular + spectral computed type by type', async () => {
    const cfg = resolveConfig({}).autoencoder;
    const preds = factors(1);
    const targets = factors(50);
    const names = SHAPES.map((s) => s.name);
    const decoded = { factors: Object.fromEntries(names.map((n, i) => [n, preds[i]])), auxLoss: tf.scalar(0) };
    const posterior = { mean: tf.zeros([2, 9, 4]) as tf.Tensor3D, logVar: tf.zeros([2, 9, 4]) as tf.Tensor3D };
    const parts = autoencoderLoss(cfg, 0, decoded, targets, names, posterior);
    const spectralOpts = { k: 'energy' as const, energyRatio: cfg.loss.energyRatio, p: cfg.loss.p };
    const perType = preds.map((p, i) =>
      tf.add(tf.mul(angularLoss(p, targets[i]), cfg.loss.angular), tf.mul(spectralLoss(p, targets[i], spectralOpts), cfg.loss.spectral)),
    );
    const expected = tf.div(tf.addN(perType), perType.length);
    expectClose(await parts.reconstruction.data(), await expected.data(), { rtol: 1e-5 });
    tf.dispose([...preds, ...targets].flatMap((f) => [f.A, f.B]));
    tf.dispose([decoded.auxLoss, posterior.mean, posterior.logVar, expected, ...perType, ...Object.values(parts)]);
  });
});
