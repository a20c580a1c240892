import type { LoraAdapter } from '@loragen/lora-io';
import { RidgeDw } from '../src/eval/ridge-dw';
import { updateGram } from '../src/eval/update-inner';
import { adapterDeltas } from '../src/lora/delta';
import { createRng } from '../src/tasks/random';

/** Primal ridge with an unpenalised intercept, by Gauss-Jordan elimination on the normal equations (float64). */
function primalPrediction(x: number[][], y: number[][], lambda: number, query: number[]): number[] {
  const n = x.length;
  const dim = x[0].length;
  const mx = Array.from({ length: dim }, (_, d) => x.reduce((s, r) => s + r[d], 0) / n);
  const my = Array.from({ length: y[0].length }, (_, d) => y.reduce((s, r) => s + r[d], 0) / n);
  const xc = x.map((r) => r.map((v, d) => v - mx[d]));
  const yc = y.map((r) => r.map((v, d) => v - my[d]));
  // [X^T X + lambda I | X^T Y]
  const rows = Array.from({ length: dim }, (_, a) => [
    ...Array.from({ length: dim }, (_, b) => xc.reduce((s, r) => s + r[a] * r[b], 0) + (a === b ? lambda : 0)),
    ...Array.from({ length: my.length }, (_, c) => xc.reduce((s, r, i) => s + r[a] * yc[i][c], 0)),
  ]);
  for (let p = 0; p < dim; p++) {
    const pivot = rows[p][p];
    rows[p] = rows[p].map((v) => v / pivot);
    for (let r = 0; r < dim; r++) if (r !== p) rows[r] = rows[r].map((v, c) => v - rows[r][p] * rows[p][c]);
  }
  const theta = rows.map((r) => r.slice(dim));
  return my.map((m, c) => m + query.reduce((s, q, d) => s + (q - mx[d]) * theta[d][c], 0));
}

function problem(seed: number, n: number, dim: number, outputs: number) {
  const rng = createRng(seed);
  const x = Array.from({ length: n }, () => Array.from({ length: dim }, () => rng.normal()));
  const truth = Array.from({ length: dim }, () => Array.from({ length: outputs }, () => rng.normal()));
  const y = x.map((r) => truth[0].map((_, c) => 2 + r.reduce((s, v, d) => s + v * truth[d][c], 0) + 0.3 * rng.normal()));
  const gram = Float64Array.from({ length: n * n }, (_, ij) => y[Math.floor(ij / n)].reduce((s, v, c) => s + v * y[ij % n][c], 0));
  return { x, y, gram };
}

const predict = (ridge: RidgeDw, y: number[][], query: number[]) => {
  const w = ridge.weights(query);
  return y[0].map((_, c) => y.reduce((s, row, i) => s + w[i] * row[c], 0));
};

describe('ridge-dw', () => {
  it('predicts what primal ridge with an intercept predicts, at the strength it chose', () => {
    const { x, y, gram } = problem(3, 12, 5, 7);
    const ridge = RidgeDw.fit(x, gram);
    const query = [0.5, -1, 0.2, 0, 1.5];
    const got = predict(ridge, y, query);
    const want = primalPrediction(x, y, ridge.lambda, query);
    got.forEach((g, c) => expect(g).toBeCloseTo(want[c], 8));
    // an intercept: the weights of any query sum to 1
    expect(ridge.weights([9, 9, 9, 9, 9]).reduce((s, w) => s + w, 0)).toBeCloseTo(1, 10);
  });

  it('reports the leave-one-task-out error that refitting without each task gives', () => {
    const { x, y, gram } = problem(5, 10, 3, 4);
    const ridge = RidgeDw.fit(x, gram);
    const n = x.length;
    const mean = y[0].map((_, c) => y.reduce((s, r) => s + r[c], 0) / n);
    let error = 0;
    let spread = 0;
    for (let j = 0; j < n; j++) {
      const keep = (_: unknown, i: number) => i !== j;
      const loo = primalPrediction(x.filter(keep), y.filter(keep), ridge.lambda, x[j]);
      error += loo.reduce((s, v, c) => s + (v - y[j][c]) ** 2, 0);
      spread += y[j].reduce((s, v, c) => s + (v - mean[c]) ** 2, 0);
    }
    expect(ridge.leaveOneOutError).toBeCloseTo(error / spread, 8);
    // the data are a noisy linear map, so the chosen strength predicts held-out tasks well
    expect(ridge.leaveOneOutError).toBeLessThan(0.2);
  });

  it('rejects a library too small or a Gram of the wrong size', () => {
    expect(() => RidgeDw.fit([[1, 2]], new Float64Array(1))).toThrow(/at least 2 library tasks, got 1/);
    expect(() => RidgeDw.fit([[1], [2]], new Float64Array(3))).toThrow(/3 entries, expected 2 x 2/);
  });

  it('takes the Gram of the updates from the factors', () => {
    const rng = createRng(8);
    const adapter = (): LoraAdapter => ({
      config: { r: 2, lora_alpha: 4 },
      modules: ['a', 'b'].map((name) => ({
        name: `base_model.model.${name}`,
        rank: 2,
        alpha: 4,
        scaling: 2,
        dIn: 3,
        dOut: 4,
        A: Float32Array.from({ length: 6 }, () => rng.normal()),
        B: Float32Array.from({ length: 8 }, () => rng.normal()),
      })),
    });
    const adapters = [adapter(), adapter(), adapter()];
    const dense = adapters.map((a) => [...adapterDeltas(a).values()].flatMap((d) => [...d]));
    const gram = updateGram(adapters);
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++)
        expect(gram[i * 3 + j]).toBeCloseTo(
          dense[i].reduce((s, v, k) => s + v * dense[j][k], 0),
          4,
        );
  });
});
