import * as tf from '@tensorflow/tfjs';
import { describeEachBackend, expectClose } from '@loragen/test-utils';
import { balanceLoss } from '../src/routing/balance-loss';

describeEachBackend('load-balancing loss', () => {
  // 4 tokens, 3 experts, top-2 masks chosen by hand from these logits
  const logits = [
    [Math.log(4), Math.log(2), Math.log(2)], // probs 0.5, 0.25, 0.25; kept {0, 1}
    [Math.log(6), Math.log(3), Math.log(1)], // probs 0.6, 0.3, 0.1; kept {0, 1}
    [Math.log(1), Math.log(1), Math.log(2)], // probs 0.25, 0.25, 0.5; kept {0, 2}
    [Math.log(2), Math.log(1), Math.log(1)], // probs 0.5, 0.25, 0.25; kept {0, 2}
  ];
  const mask = [
    [1, 1, 0],
    [1, 1, 0],
    [1, 0, 1],
    [1, 0, 1],
  ];
  // p = (0.5+0.6+0.25+0.5, 0.25+0.3+0.25+0.25, 0.25+0.1+0.5+0.25) / 4 = (0.4625, 0.2625, 0.275)
  // f = (4, 2, 2) / 8 = (0.5, 0.25, 0.25)
  // E * sum p f = 3 * (0.23125 + 0.065625 + 0.06875) = 1.096875
  const balance = 1.096875;

  it('equals weight * max(0, E * sum_e p_e f_e - 1) on a hand-computed case, with its stats', async () => {
    const { loss, stats } = balanceLoss(tf.tensor2d(logits), tf.tensor2d(mask), { weight: 2, hinge: 1 });
    expectClose(await loss.data(), [2 * (balance - 1)], { rtol: 1e-5 });
    expectClose(await stats.expertImportance.data(), [0.4625, 0.2625, 0.275], { rtol: 1e-5 });
    expectClose(await stats.expertLoad.data(), [0.5, 0.25, 0.25], { rtol: 1e-6 });
    const entropy = (ps: number[]): number => -ps.reduce((s, p) => s + p * Math.log(p), 0);
    const meanEntropy = (entropy([0.5, 0.25, 0.25]) * 2 + entropy([0.6, 0.3, 0.1]) + entropy([0.25, 0.25, 0.5])) / 4;
    expectClose(await stats.routerEntropy.data(), [meanEntropy], { rtol: 1e-5 });
    tf.dispose([loss, stats]);
  });

  it('is 0 at or under the hinge (uniform routing gives exactly 1) and E * sum p f with hinge 0', async () => {
    const uniform = balanceLoss(tf.zeros([4, 3]), tf.tensor2d(mask), { weight: 1, hinge: 1 });
    expect(await uniform.loss.data()).toEqual(new Float32Array([0]));
    const unhinged = balanceLoss(tf.tensor2d(logits), tf.tensor2d(mask), { weight: 1, hinge: 0 });
    expectClose(await unhinged.loss.data(), [balance], { rtol: 1e-5 });
    tf.dispose([uniform, unhinged]);
  });

  it('its gradient flows to the logits through p_e only (f_e is a constant): matches the closed form', async () => {
    // d/dl_te [3 * sum_e f_e mean_t softmax(l_t)_e] = (3 / N) * s_te * (f_e - sum_j s_tj f_j)
    const f = [0.5, 0.25, 0.25];
    const grad = tf.grad((l: tf.Tensor) => balanceLoss(l as tf.Tensor2D, tf.tensor2d(mask), { weight: 1, hinge: 1 }).loss)(tf.tensor2d(logits));
    const expected = logits.map((row) => {
      const s = row.map(Math.exp);
      const total = s.reduce((a, b) => a + b, 0);
      const probs = s.map((x) => x / total);
      const mean = probs.reduce((acc, p, j) => acc + p * f[j], 0);
      return probs.map((p, e) => (3 / 4) * p * (f[e] - mean));
    });
    expectClose((await grad.array()) as number[][], expected, { rtol: 1e-4, atol: 1e-7 });
    grad.dispose();
  });
});
