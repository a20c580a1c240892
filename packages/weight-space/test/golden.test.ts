// Values and gradients against torch's float64 ground truth in ../shared/fixtures/losses.
import * as tf from '@tensorflow/tfjs';
import { describeEachStrategy } from './helpers/strategies';
import { describeEachBackend, expectClose } from '@loragen/test-utils';
import { angularLoss, lowRankSingularValues, spectralLoss } from '@loragen/weight-space';
import { goldenLosses } from './helpers/fixtures';
import type { HostTensor } from './helpers/safetensors';

const { cases, tensors } = goldenLosses();
const host = (name: string): HostTensor => {
  const t = tensors.get(name);
  if (!t) throw new Error(`fixture tensor ${name} missing`);
  return t;
};
const toTensor = (name: string): tf.Tensor => tf.tensor(Float32Array.from(host(name).data), host(name).shape);
const values = (name: string): number[] => Array.from(host(name).data);
/** Gradient tolerance: 1e-3 relative, with an absolute floor of 1e-3 of the largest entry (entries near 0). */
const gradTol = (name: string) => ({ rtol: 1e-3, atol: 1e-3 * Math.max(...values(name).map(Math.abs)) });

describeEachBackend('golden losses', (backend) =>
  describeEachStrategy(backend, () => {
    const valueRtol = 1e-5;
    for (const c of cases) {
      const id = `case${c.case}`;
      describe(`${id}: ${c.m}x${c.n}, r ${c.r}, r_hat ${c.r_hat}`, () => {
        let target: { A: tf.Tensor; B: tf.Tensor };
        let pred: { A: tf.Tensor; B: tf.Tensor };
        let weights: tf.Tensor;
        beforeAll(() => {
          target = { A: toTensor(`${id}.A`), B: toTensor(`${id}.B`) };
          pred = { A: toTensor(`${id}.Ahat`), B: toTensor(`${id}.Bhat`) };
          weights = toTensor(`${id}.weights`);
        });
        afterAll(() => tf.dispose([target.A, target.B, pred.A, pred.B, weights]));

        it('singular values of B A and B_hat A_hat', async () => {
          const sv = lowRankSingularValues(target);
          const svHat = lowRankSingularValues(pred);
          expectClose(Array.from(await sv.data()).slice(0, c.k), values(`${id}.sv`), { rtol: valueRtol });
          expectClose(Array.from(await svHat.data()).slice(0, c.k), values(`${id}.sv_hat`), { rtol: valueRtol });
          tf.dispose([sv, svHat]);
        });

        it('angular loss value and gradients', async () => {
          const f = (a: tf.Tensor, b: tf.Tensor) => angularLoss({ A: a, B: b }, target);
          const { value, grads } = tf.valueAndGrads(f)([pred.A, pred.B]);
          expectClose(await value.data(), c.angular, { rtol: valueRtol });
          expectClose(await grads[0].data(), values(`${id}.grad_ang_Ahat`), gradTol(`${id}.grad_ang_Ahat`));
          expectClose(await grads[1].data(), values(`${id}.grad_ang_Bhat`), gradTol(`${id}.grad_ang_Bhat`));
          tf.dispose([value, ...grads]);
        });

        for (const p of [1, 2]) {
          it(`weighted spectral l${p}: value and gradients`, async () => {
            const f = (a: tf.Tensor, b: tf.Tensor) => spectralLoss({ A: a, B: b }, target, { k: c.k, weights, p });
            const { value, grads } = tf.valueAndGrads(f)([pred.A, pred.B]);
            const expected = p === 1 ? c.spectral_l1_weighted : c.spectral_l2_weighted;
            expectClose(await value.data(), expected, { rtol: valueRtol });
            const ga = `${id}.grad_spec_l${p}_Ahat`;
            const gb = `${id}.grad_spec_l${p}_Bhat`;
            expectClose(await grads[0].data(), values(ga), gradTol(ga));
            expectClose(await grads[1].data(), values(gb), gradTol(gb));
            tf.dispose([value, ...grads]);
          });
        }
      });
    }
  }),
);
