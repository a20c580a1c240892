// A plain-JS forward pass of the base model, written loop by loop from the architecture's definition,
// as an independent reference for the tfjs implementation.
import type { BaseModelConfig } from '../src/model/config';
import type { WeightTable } from '../src/model/parameters';

type Matrix = number[][];

const get = (w: WeightTable, name: string) => {
  const entry = w.get(name);
  if (!entry) throw new Error(`missing ${name}`);
  return entry;
};

/** rows [n][in] times W^T, W [out, in] row-major. */
function linear(rows: Matrix, w: WeightTable, name: string): Matrix {
  const { shape, values } = get(w, name);
  const [out, inDim] = shape;
  return rows.map((x) => Array.from({ length: out }, (_, o) => x.reduce((s, xi, i) => s + xi * values[o * inDim + i], 0)));
}

function rms(rows: Matrix, gain: Float32Array): Matrix {
  return rows.map((x) => {
    const scale = 1 / Math.sqrt(x.reduce((s, v) => s + v * v, 0) / x.length + 1e-6);
    return x.map((v, i) => v * scale * gain[i]);
  });
}

const add = (a: Matrix, b: Matrix): Matrix => a.map((r, i) => r.map((v, j) => v + b[i][j]));

/** Logits [classes] for one input sequence of token ids. */
export function referenceLogits(tokens: readonly number[], w: WeightTable, config: BaseModelConfig): number[] {
  const d = config.width;
  const emb = get(w, 'model.embed_tokens.weight').values;
  const pos = get(w, 'model.embed_positions.weight').values;
  let x: Matrix = tokens.map((tok, t) => Array.from({ length: d }, (_, j) => emb[tok * d + j] + pos[t * d + j]));
  const hw = d / config.heads;
  // grouped-query attention: query head `head` reads key / value head floor(head / group)
  const group = config.heads / (config.kvHeads ?? config.heads);
  for (let l = 0; l < config.layers; l++) {
    const p = `model.layers.${l}`;
    const h = rms(x, get(w, `${p}.input_layernorm.weight`).values);
    const q = linear(h, w, `${p}.self_attn.q_proj.weight`);
    const k = linear(h, w, `${p}.self_attn.k_proj.weight`);
    const v = linear(h, w, `${p}.self_attn.v_proj.weight`);
    const attended: Matrix = x.map(() => new Array(d).fill(0));
    for (let head = 0; head < config.heads; head++) {
      const kvHead = Math.floor(head / group);
      for (let i = 0; i < x.length; i++) {
        const scores = x.map((_, j) => {
          let s = 0;
          for (let c = 0; c < hw; c++) s += q[i][head * hw + c] * k[j][kvHead * hw + c];
          return s / Math.sqrt(hw);
        });
        const max = Math.max(...scores);
        const e = scores.map((s) => Math.exp(s - max));
        const z = e.reduce((a, b) => a + b, 0);
        for (let c = 0; c < hw; c++) attended[i][head * hw + c] = e.reduce((s, ej, j) => s + (ej / z) * v[j][kvHead * hw + c], 0);
      }
    }
    x = add(x, linear(attended, w, `${p}.self_attn.o_proj.weight`));
    const h2 = rms(x, get(w, `${p}.post_attention_layernorm.weight`).values);
    const up = linear(h2, w, `${p}.mlp.up_proj.weight`).map((r) => r.map((v) => Math.max(0, v)));
    x = add(x, linear(up, w, `${p}.mlp.down_proj.weight`));
  }
  const last = rms([x[x.length - 1]], get(w, 'model.norm.weight').values);
  return linear(last, w, 'score.weight')[0];
}
