import * as tf from '@tensorflow/tfjs';
import { describeEachBackend, expectClose } from '@loragen/test-utils';
import { topKGates } from '../src/routing/top-k-gating';

describeEachBackend('top-K soft gating', () => {
  const logits = [
    [2.0, -1.0, 0.5, 1.5],
    [-3.0, 4.0, 3.9, 0.0],
    [0.1, 0.2, 0.3, 0.4],
  ];

  for (const k of [1, 2, 3]) {
    it(`K = ${k}: softmax over the K largest logits, exactly 0 elsewhere, rows sum to 1`, async () => {
      const { gates, mask } = topKGates(tf.tensor2d(logits), k);
      const g = (await gates.array()) as number[][];
      const kept = (await mask.array()) as number[][];
      logits.forEach((row, i) => {
        const chosen = row
          .map((_, e) => e)
          .sort((a, b) => row[b] - row[a])
          .slice(0, k);
        const denom = chosen.reduce((s, e) => s + Math.exp(row[e]), 0);
        const expected = row.map((l, e) => (chosen.includes(e) ? Math.exp(l) / denom : 0));
        expectClose(g[i], expected, { rtol: 1e-5, atol: 1e-7 });
        expect(g[i].filter((_, e) => !chosen.includes(e))).toEqual(new Array(4 - k).fill(0));
        expect(kept[i]).toEqual(row.map((_, e) => (chosen.includes(e) ? 1 : 0)));
        expect(g[i].reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
      });
      tf.dispose([gates, mask]);
    });
  }

  it('the gradient reaches only the kept logits and matches the softmax Jacobian', async () => {
    const x = tf.tensor2d([logits[0]]);
    const w = [0.3, -0.7, 1.1, 0.2];
    const grad = tf.grad((l: tf.Tensor) => tf.sum(tf.mul(topKGates(l as tf.Tensor2D, 2).gates, w)))(x);
    // kept: experts 0 and 3; g = softmax(l0, l3); d(sum_e w_e g_e)/dl_i = g_i (w_i - sum_j w_j g_j)
    const g0 = Math.exp(2.0) / (Math.exp(2.0) + Math.exp(1.5));
    const g3 = 1 - g0;
    const mean = w[0] * g0 + w[3] * g3;
    expectClose(await grad.data(), [g0 * (w[0] - mean), 0, 0, g3 * (w[3] - mean)], { rtol: 1e-5, atol: 1e-7 });
    tf.dispose([x, grad]);
  });
});
