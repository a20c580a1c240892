import * as tf from '@tensorflow/tfjs';
import { describeEachBackend, expectClose } from '@loragen/test-utils';
import { attendHeads, splitHeads } from '../src/denoiser/layers';
import { SeededRng } from '../src';

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

describeEachBackend('multi-head attention (splitHeads + attendHeads)', () => {
  test.each([
    [2, 5, 5, 8, 2],
    [1, 3, 7, 12, 3],
  ])('matches a plain-JS per-head reference (b %i, n %i, m %i, w %i, heads %i)', async (b, n, m, w, heads) => {
    const rng = new SeededRng(b * 100 + m);
    const [qv, kv, vv] = [rng.normals(b * n * w), rng.normals(b * m * w), rng.normals(b * m * w)];
    // As in the DiT: q split on its own (cross-attention) and k, v from one stacked projection [b, m, 2w].
    const out = tf.tidy(() => {
      const [q] = splitHeads(tf.tensor3d(qv, [b, n, w]), 1, heads);
      const [k, v] = splitHeads(tf.concat([tf.tensor3d(kv, [b, m, w]), tf.tensor3d(vv, [b, m, w])], 2), 2, heads);
      return attendHeads(q, k, v);
    });
    expect(out.shape).toEqual([b, n, w]);
    expectClose(await out.data(), referenceAttention(qv, kv, vv, b, n, m, w, heads), { rtol: 1e-4, atol: 1e-5 });
    out.dispose();
  });

  test('q, k and v stacked in one projection split like three separate ones (self-attention)', async () => {
    const [b, n, w, heads] = [2, 4, 12, 3];
    const rng = new SeededRng(7);
    const [qv, kv, vv] = [rng.normals(b * n * w), rng.normals(b * n * w), rng.normals(b * n * w)];
    const out = tf.tidy(() => {
      const qkv = tf.concat(
        [qv, kv, vv].map((x) => tf.tensor3d(x, [b, n, w])),
        2,
      );
      const [q, k, v] = splitHeads(qkv, 3, heads);
      return attendHeads(q, k, v);
    });
    expectClose(await out.data(), referenceAttention(qv, kv, vv, b, n, n, w, heads), { rtol: 1e-4, atol: 1e-5 });
    out.dispose();
  });
});
