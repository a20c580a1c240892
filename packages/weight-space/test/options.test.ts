// Options, reductions, batching and errors of the public losses.
import * as tf from '@tensorflow/tfjs';
import { describeEachBackend, expectClose } from '@loragen/test-utils';
import { WeightSpaceError, adapterLoss, angularLoss, prepareTarget, spectralLoss } from '@loragen/weight-space';
import { angular, spectral } from './helpers/reference';
import { randomFactors, rng } from './helpers/random';

const rand = rng(5);
const positions = Array.from({ length: 3 }, () => ({ pred: randomFactors(rand, 6, 5, 3), target: randomFactors(rand, 6, 5, 2) }));
const stacked = (key: 'pred' | 'target') => ({
  A: tf.tensor3d(positions.map((p) => p[key].A)),
  B: tf.tensor3d(positions.map((p) => p[key].B)),
});

describeEachBackend('batched positions and reductions', () => {
  let pred: { A: tf.Tensor; B: tf.Tensor };
  let target: { A: tf.Tensor; B: tf.Tensor };
  beforeAll(() => {
    pred = stacked('pred');
    target = stacked('target');
  });
  afterAll(() => tf.dispose([pred.A, pred.B, target.A, target.B]));

  it("reduction 'none' gives one value per position, equal to the reference; 'mean' and 'sum' combine them", async () => {
    const ang = positions.map((p) => angular(p.pred, p.target));
    const spec = positions.map((p) => spectral(p.pred, p.target, { k: 'energy' }));
    expectClose(await angularLoss(pred, target, { reduction: 'none' }).data(), ang, { rtol: 1e-5 });
    expectClose(await spectralLoss(pred, target, { reduction: 'none' }).data(), spec, { rtol: 1e-5 });
    expectClose(await angularLoss(pred, target, { reduction: 'sum' }).data(), ang[0] + ang[1] + ang[2], { rtol: 1e-5 });
    expectClose(await spectralLoss(pred, target).data(), (spec[0] + spec[1] + spec[2]) / 3, { rtol: 1e-5 });
    const total = positions.map((_, i) => ang[i] + 2 * spec[i]);
    expectClose(await adapterLoss(pred, target, { reduction: 'none' }).data(), total, { rtol: 1e-5 });
  });

  it('a prepared target gives the same values as the raw one', async () => {
    const prepared = prepareTarget(target);
    expectClose(await spectralLoss(pred, prepared, { p: 2 }).data(), await spectralLoss(pred, target, { p: 2 }).data(), { rtol: 1e-6 });
    expectClose(await angularLoss(pred, prepared).data(), await angularLoss(pred, target).data(), { rtol: 1e-6 });
    prepared.dispose();
  });

  it('weights may be given per position [..., k]', async () => {
    const w = [
      [0.5, 0.5],
      [1, 0],
      [0.2, 0.8],
    ];
    const got = await spectralLoss(pred, target, { weights: tf.tensor2d(w), reduction: 'none' }).data();
    expectClose(
      got,
      positions.map((p, i) => spectral(p.pred, p.target, { k: 2, weights: w[i] })),
      { rtol: 1e-5 },
    );
  });
});

describe('errors say what is wrong', () => {
  const a = tf.zeros([3, 5]);
  const b = tf.zeros([6, 3]);
  const f = { A: a, B: b };
  const cases: [string, () => unknown, RegExp][] = [
    ['mismatched rank', () => angularLoss({ A: a, B: tf.zeros([6, 2]) }, f), /does not match A/],
    ['different dW shapes', () => angularLoss(f, { A: tf.zeros([3, 4]), B: b }), /same positions and dW shape/],
    ['int32 factors', () => angularLoss({ A: tf.zeros([3, 5], 'int32'), B: b }, f), /float32/],
    ['k too large', () => spectralLoss(f, f, { k: 4 }), /integer in \[1, 3\]/],
    ['k not matching weights', () => spectralLoss(f, f, { k: 2, weights: tf.ones([3]) }), /does not match the weights/],
    ['energy k with weights', () => spectralLoss(f, f, { k: 'energy', weights: tf.ones([2]) }), /cannot be combined/],
    ['p below 1', () => spectralLoss(f, f, { p: 0.5 }), /p must be a finite number >= 1/],
    ['energy ratio 0', () => spectralLoss(f, f, { energyRatio: 0 }), /energyRatio must be in \(0, 1\]/],
    ['unknown reduction', () => angularLoss(f, f, { reduction: 'max' as never }), /reduction must be/],
    ['not factors', () => spectralLoss({} as never, f), /must be \{ A, B \}/],
  ];
  it.each(cases)('%s', (_, call, message) => {
    expect(call).toThrow(WeightSpaceError);
    expect(call).toThrow(message);
  });
});
