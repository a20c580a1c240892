import type { LoraAdapter } from '@loragen/lora-io';
import { spanFit } from '../src/eval/oracle-span';
import { updateGram } from '../src/eval/update-inner';
import { adapterDeltas } from '../src/lora/delta';
import { createRng } from '../src/tasks/random';

const rng = createRng(21);
const randomAdapter = (rank = 2): LoraAdapter => ({
  config: { r: rank, lora_alpha: 2 * rank },
  modules: ['q', 'v'].map((name) => ({
    name: `base_model.model.${name}`,
    rank,
    alpha: 2 * rank,
    scaling: 2,
    dIn: 5,
    dOut: 4,
    A: Float32Array.from({ length: rank * 5 }, () => rng.normal()),
    B: Float32Array.from({ length: 4 * rank }, () => rng.normal()),
  })),
});
const dense = (a: LoraAdapter) => [...adapterDeltas(a).values()].flatMap((d) => [...d]);

/** w1 dW(a) + w2 dW(b) as one adapter of rank r_a + r_b (stacked factors, B scaled). */
function combination(a: LoraAdapter, w1: number, b: LoraAdapter, w2: number): LoraAdapter {
  return {
    config: a.config,
    modules: a.modules.map((m, k) => {
      const n = b.modules[k];
      const rank = m.rank + n.rank;
      const B = new Float32Array(m.dOut * rank);
      for (let o = 0; o < m.dOut; o++) {
        for (let r = 0; r < m.rank; r++) B[o * rank + r] = w1 * m.B[o * m.rank + r];
        for (let r = 0; r < n.rank; r++) B[o * rank + m.rank + r] = w2 * n.B[o * n.rank + r];
      }
      return { ...m, rank, A: Float32Array.from([...m.A, ...n.A]), B };
    }),
  };
}

describe('oracle-span', () => {
  const library = [randomAdapter(), randomAdapter(), randomAdapter()];
  const gram = updateGram(library);

  it('recovers the weights of a target inside the span, with nothing outside it', () => {
    const { weights, outsideShare } = spanFit(library, gram, combination(library[0], 0.5, library[2], -2));
    [0.5, 0, -2].forEach((w, i) => expect(weights[i]).toBeCloseTo(w, 4));
    expect(outsideShare).toBeCloseTo(0, 6);
  });

  it('gives the share of a random target outside the span that dense least squares gives', () => {
    const target = randomAdapter(3);
    const { weights, outsideShare } = spanFit(library, gram, target);
    const t = dense(target);
    const columns = library.map(dense);
    const projection = t.map((_, k) => columns.reduce((s, c, i) => s + weights[i] * c[k], 0));
    const residual = t.map((v, k) => v - projection[k]);
    // least squares: the residual is orthogonal to every library update
    for (const c of columns) expect(c.reduce((s, v, k) => s + v * residual[k], 0)).toBeCloseTo(0, 2);
    const share = residual.reduce((s, v) => s + v * v, 0) / t.reduce((s, v) => s + v * v, 0);
    expect(outsideShare).toBeCloseTo(share, 5);
    expect(outsideShare).toBeGreaterThan(0.3);
  });

  it('refuses a Gram of the wrong size', () => {
    expect(() => spanFit(library, new Float64Array(4), library[0])).toThrow(/4 entries, expected 3 x 3/);
  });
});
