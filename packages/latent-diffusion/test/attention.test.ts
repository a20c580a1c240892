import * as tf from '@tensorflow/tfjs';
import { describeEachBackend, expectClose } from '@loragen/test-utils';
import { multiHeadAttention } from '../src/denoiser/layers';
import { GaussianRng } from '../src';

/** Textbook multi-head attention in plain JS loops: softmax(q_h k_h^T / sqrt(d)) v_h per head, concatenated. */
function referenceAttention(q: Float32Array, k: Float32Array, v: Float32Array, b: number, n: number, m: number, w: number, heads: number) {
  const d = w / heads;
  const out = new Float64Array(b * n * w);
  for (let bi = 0; bi < b; bi++) {
    for (let h = 0; h < heads; h++) {
      for (let i = 0; i < n; i++) {
        const scores = Array.from({ length: m }, (_, j) => {
          let dot = 0;
          for (let c = h * d; c < (h + 1) * d; c++) dot += q[(bi * n + i) * w + c] * k[(bi * m + j) * w + c];
          return dot / Math.sqrt(d);
        });
        const top = Math.max(...scores);
        const e = scores.map((x) => Math.exp(x - top));
        const z = e.reduce((a, x) => a + x, 0);
        for (let c = h * d; c < (h + 1) * d; c++) {
          let acc = 0;
          for (let j = 0; j < m; j++) acc += (e[j] / z) * v[(bi * m + j) * w + c];
          out[(bi * n + i) * w + c] = acc;
        }
      }
    }
  }
  return out;
}

describeEachBackend('multiHeadAttention', () => {
  test.each([
    [2, 5, 5, 8, 2],
    [1, 3, 7, 12, 3],
  ])('matches a plain-JS per-head reference (b %i, n %i, m %i, w %i, heads %i)', async (b, n, m, w, heads) => {
    const rng = new GaussianRng(b * 100 + m);
    const [qv, kv, vv] = [rng.normals(b * n * w), rng.normals(b * m * w), rng.normals(b * m * w)];
    const out = tf.tidy(() =>
      multiHeadAttention(tf.tensor3d(qv, [b, n, w]), tf.tensor3d(kv, [b, m, w]), tf.tensor3d(vv, [b, m, w]), heads),
    );
    expect(out.shape).toEqual([b, n, w]);
    expectClose(await out.data(), referenceAttention(qv, kv, vv, b, n, m, w, heads), { rtol: 1e-4, atol: 1e-5 });
    out.dispose();
  });
});
