import * as tf from '@tensorflow/tfjs';
import { describeEachBackend, expectClose } from '@loragen/test-utils';

// A plain-JS matmul is the independent reference every backend must reproduce.
function referenceMatmul(a: Float32Array, b: Float32Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      const aik = a[i * n + k];
      for (let j = 0; j < n; j++) out[i * n + j] += aik * b[k * n + j];
    }
  }
  return out;
}

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
    expectClose(got, referenceMatmul(a, b, n), { rtol: 1e-4, atol: 1e-4 });
  });
});
