import * as tf from '@tensorflow/tfjs';
import { describeEachBackend, expectClose } from '@loragen/test-utils';
import { addNoise, epsFromVelocity, epsFromX0, velocityFrom, x0FromEps, x0FromPrediction, x0FromVelocity } from '../src';

describeEachBackend('v / epsilon / x0 conversions', () => {
  const abar = 0.3;
  const a = Math.sqrt(abar);
  const s = Math.sqrt(1 - abar);
  const x0Values = [0.5, -1.2, 2, 0.1];
  const epsValues = [-0.3, 0.8, 1.1, -2];

  test('match the convention x_t = a x0 + s eps, v = a eps - s x0 element by element', async () => {
    const x0 = tf.tensor1d(x0Values);
    const eps = tf.tensor1d(epsValues);
    const xt = addNoise(x0, eps, a, s);
    const v = velocityFrom(x0, eps, a, s);
    expectClose(
      await xt.data(),
      x0Values.map((x, i) => a * x + s * epsValues[i]),
      { rtol: 1e-6, atol: 1e-6 },
    );
    expectClose(
      await v.data(),
      x0Values.map((x, i) => a * epsValues[i] - s * x),
      { rtol: 1e-6, atol: 1e-6 },
    );
    tf.dispose([x0, eps, xt, v]);
  });

  test('round trips recover x0 and eps from (x_t, v) and from (x_t, eps)', async () => {
    const x0 = tf.tensor1d(x0Values);
    const eps = tf.tensor1d(epsValues);
    const xt = addNoise(x0, eps, a, s);
    const v = velocityFrom(x0, eps, a, s);
    const tol = { rtol: 1e-5, atol: 1e-5 };
    expectClose(await x0FromVelocity(xt, v, a, s).data(), x0Values, tol);
    expectClose(await epsFromVelocity(xt, v, a, s).data(), epsValues, tol);
    expectClose(await x0FromEps(xt, eps, a, s).data(), x0Values, tol);
    expectClose(await epsFromX0(xt, x0, a, s).data(), epsValues, tol);
    expectClose(await x0FromPrediction(xt, v, a, s, 'v').data(), x0Values, tol);
    expectClose(await x0FromPrediction(xt, eps, a, s, 'epsilon').data(), x0Values, tol);
  });

  test('per-sample coefficients broadcast over the batch', async () => {
    const x0 = tf.tensor2d([
      [1, 2],
      [3, 4],
    ]);
    const eps = tf.tensor2d([
      [0, 1],
      [1, 0],
    ]);
    const aT = tf.tensor2d([[0.6], [0.8]]);
    const sT = tf.tensor2d([[0.8], [0.6]]);
    expectClose(await addNoise(x0, eps, aT, sT).data(), [0.6, 2, 3.0, 3.2], { rtol: 1e-6, atol: 1e-6 });
  });
});
