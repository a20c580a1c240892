// The host kernels hand their gradients zero-copy aliases of the factors instead of letting tfjs copy them: the
// backward pass must still see the factors when the forward pass's tidies have disposed them, nothing may leak when
// the loss is off the gradient's path, and no factor may be copied.
import * as tf from '@tensorflow/tfjs';
import { describeEachBackend, expectClose, expectNoLeaks } from '@loragen/test-utils';
import { adapterLoss, angularLoss, spectralLoss } from '@loragen/weight-space';
import { simdKernelsActive } from '../src/host/registry';

const losses = {
  adapterLoss: (p: Factors, t: Factors) => adapterLoss(p, t),
  angularLoss: (p: Factors, t: Factors) => angularLoss(p, t),
  spectralLoss: (p: Factors, t: Factors) => spectralLoss(p, t, { k: 3 }),
};
type Factors = { A: tf.Tensor; B: tf.Tensor };
const [positions, r, dIn, dOut] = [3, 4, 32, 24];

function setup() {
  const factors = (seed: number) => ({
    A: tf.randomNormal([positions, r, dIn], 0, 1, 'float32', seed),
    B: tf.randomNormal([positions, dOut, r], 0, 1, 'float32', seed + 1),
  });
  const target = factors(1);
  const start = factors(3);
  const pred = { A: tf.variable(start.A), B: tf.variable(start.B) };
  tf.dispose([start.A, start.B]);
  return { target, pred, dispose: () => tf.dispose([target.A, target.B, pred.A, pred.B]) };
}

describeEachBackend('gradients of the SIMD kernels without saved copies', (backend) => {
  if (backend === 'webgpu') {
    it('does not apply on webgpu, which runs the tfjs-ops implementation', () => expect(simdKernelsActive()).toBe(false));
    return;
  }

  it.each(Object.keys(losses))('%s: the backward pass reads factors that a tidy disposed after the forward pass', async (name) => {
    expect(simdKernelsActive()).toBe(true);
    const loss = losses[name as keyof typeof losses];
    const { target, pred, dispose } = setup();
    // The prediction's factors are intermediates (pred * 1) made and disposed inside a tidy: only the loss leaves it.
    const viaTidy = () => tf.tidy(() => loss({ A: tf.mul(pred.A, 1), B: tf.mul(pred.B, 1) }, { A: tf.add(target.A, 0), B: tf.add(target.B, 0) }));
    const direct = () => loss(pred, target);
    const [a, b] = [tf.variableGrads(viaTidy as () => tf.Scalar), tf.variableGrads(direct as () => tf.Scalar)];
    expect(Object.keys(a.grads)).toHaveLength(2);
    for (const key of Object.keys(b.grads)) expectClose(await a.grads[key].data(), await b.grads[key].data(), { rtol: 1e-6, atol: 1e-7 });
    tf.dispose([a.value, b.value, ...Object.values(a.grads), ...Object.values(b.grads)]);
    dispose();
  });

  it('factors with two batch axes, read in place: values and gradients equal those of the same positions on one axis', async () => {
    const { target, pred, dispose } = setup();
    const grid = (x: tf.Tensor) => tf.reshape(x, [1, positions, ...x.shape.slice(1)]);
    const loss = (p: Factors, t: Factors) => tf.sum(adapterLoss(p, t, { reduction: 'none', spectral: { k: 2, p: 2 } })) as tf.Scalar;
    const onGrid = tf.variableGrads(() => loss({ A: grid(pred.A), B: grid(pred.B) }, { A: grid(target.A), B: grid(target.B) }));
    const flat = tf.variableGrads(() => loss(pred, target));
    expectClose(await onGrid.value.data(), await flat.value.data(), { rtol: 1e-6 });
    for (const key of Object.keys(flat.grads)) expectClose(await onGrid.grads[key].data(), await flat.grads[key].data(), { rtol: 1e-6, atol: 1e-7 });
    tf.dispose([onGrid.value, flat.value, ...Object.values(onGrid.grads), ...Object.values(flat.grads)]);
    dispose();
  });

  it('differentiating a gradient (second order) is refused with a WeightSpaceError, not answered wrongly', () => {
    const { target, pred, dispose } = setup();
    const gradient = (a: tf.Tensor) => tf.grad((x: tf.Tensor) => angularLoss({ A: x, B: pred.B }, target) as tf.Scalar)(a);
    expect(() => tf.grad((a: tf.Tensor) => tf.sum(tf.square(gradient(a))))(pred.A)).toThrow(/second-order derivatives/);
    dispose();
  });

  it("a loss off the gradient's path leaks nothing, and one on it copies no factor", async () => {
    const { target, pred, dispose } = setup();
    const other = tf.variable(tf.ones([2]));
    await expectNoLeaks(async () => {
      for (let i = 0; i < 5; i++) {
        const { value, grads } = tf.variableGrads(() => {
          adapterLoss(pred, target); // recorded on the tape, but y does not depend on it
          return tf.sum(tf.square(other));
        }, [other]);
        tf.dispose([value, ...Object.values(grads)]);
      }
    });
    const profile = await tf.profile(() => {
      const { value, grads } = tf.variableGrads(() => adapterLoss(pred, target) as tf.Scalar);
      tf.dispose([value, ...Object.values(grads)]);
    });
    const factorShapes = [pred.A.shape, pred.B.shape].map((s) => s.join('x'));
    const copies = profile.kernels.filter((k) => k.name === 'Identity' && factorShapes.includes(k.outputShapes[0]?.join('x') ?? ''));
    expect(profile.kernels.some((k) => k.name === 'LoragenFactoredPair')).toBe(true);
    expect(copies).toEqual([]);
    tf.dispose(other);
    dispose();
  });
});
