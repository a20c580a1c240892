import * as tf from '@tensorflow/tfjs';
import { describeEachBackend, expectClose, hostMatMul } from '@loragen/test-utils';

function seeded(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 32 - 0.5;
  }
  return out;
}

describeEachBackend('256x256 matmul smoke test', (backend) => {
  it(`matches a plain JS matmul on ${backend}`, async () => {
    const n = 256;
    const a = seeded(n * n, 1);
    const b = seeded(n * n, 2);
    const c = tf.matMul(tf.tensor2d(a, [n, n]), tf.tensor2d(b, [n, n]));
    expect(tf.getBackend()).toBe(backend);
    const got = await c.data();
    expectClose(got, hostMatMul(a, b, n, n, n), { rtol: 1e-4, atol: 1e-4 });
  });
});
