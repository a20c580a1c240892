// A plain-JS, one-position-at-a-time reading of the MoE decoder's definition (the module-aware Mix-of-Experts decoder
// of Huang et al., "LoRAGen: Structure-Aware Weight Space Learning for LoRA Generation", ICLR 2026,
// https://openreview.net/forum?id=mrafO7aTYj), written
// independently of the tensor code, to check the batched implementation against.
export type Values = Record<string, { shape: number[]; data: Float32Array }>;

export interface ReferenceSpec {
  modules: { name: string; dIn: number; dOut: number; rank: number }[];
  layers: number;
  latentDim: number;
  numExperts: number;
  topK: number;
  temperature: number;
  expertHidden: number;
  head: 'direct' | 'factorised';
  headRank: number;
}

/** x [n] times columns [c0, c0 + width) of a row-major [n, stride] matrix w, plus bias[b0 ..]. */
function affine(x: number[], w: Float32Array, stride: number, c0: number, width: number, bias?: Float32Array, b0 = 0): number[] {
  const out: number[] = [];
  for (let j = 0; j < width; j++) {
    let s = bias ? bias[b0 + j] : 0;
    for (let i = 0; i < x.length; i++) s += x[i] * w[i * stride + c0 + j];
    out.push(s);
  }
  return out;
}

const silu = (v: number): number => v / (1 + Math.exp(-v));

export interface ReferencePosition {
  gates: number[];
  /** A [rank][dIn], B [dOut][rank] */
  A: number[][];
  B: number[][];
  probs: number[];
  chosen: number[];
}

export function referencePosition(spec: ReferenceSpec, v: Values, z: number[], p: number): ReferencePosition {
  const M = spec.modules.length;
  const m = p % M;
  const layer = Math.floor(p / M);
  const row = (name: string, r: number): number[] => {
    const t = v[name];
    const width = t.shape[1];
    return Array.from(t.data.slice(r * width, (r + 1) * width));
  };
  const h = [...z, ...row('embed/module', m), ...row('embed/layer', layer)];
  const E = spec.numExperts;
  const logits = affine(h, v['router/kernel'].data, E, 0, E, v['router/bias'].data).map((l) => l / spec.temperature);
  const order = logits.map((_, e) => e).sort((a, b) => logits[b] - logits[a]);
  const chosen = order.slice(0, spec.topK);
  const top = Math.max(...logits);
  const expKept = logits.map((l, e) => (chosen.includes(e) ? Math.exp(l - top) : 0));
  const keptSum = expKept.reduce((a, b) => a + b, 0);
  const gates = expKept.map((x) => x / keptSum);
  const expAll = logits.map((l) => Math.exp(l - top));
  const allSum = expAll.reduce((a, b) => a + b, 0);
  const probs = expAll.map((x) => x / allSum);

  const H = spec.expertHidden;
  const mixed = new Array<number>(H).fill(0);
  for (let e = 0; e < E; e++) {
    if (gates[e] === 0) continue;
    const hidden = affine(h, v['experts/hidden/kernel'].data, E * H, e * H, H, v['experts/hidden/bias'].data, e * H).map(silu);
    const w2 = v['experts/out/kernel'].data.subarray(e * H * H, (e + 1) * H * H);
    const out = affine(hidden, w2, H, 0, H, v['experts/out/bias'].data, e * H);
    for (let j = 0; j < H; j++) mixed[j] += gates[e] * out[j];
  }

  const { name, rank, dIn, dOut } = spec.modules[m];
  const A: number[][] = [];
  const B: number[][] = Array.from({ length: dOut }, () => new Array<number>(rank).fill(0));
  if (spec.head === 'direct') {
    const width = rank * (dIn + dOut);
    const flat = affine(mixed, v[`heads/${name}/kernel`].data, width, 0, width, v[`heads/${name}/bias`].data);
    for (let i = 0; i < rank; i++) A.push(flat.slice(i * dIn, (i + 1) * dIn));
    for (let o = 0; o < dOut; o++) for (let i = 0; i < rank; i++) B[o][i] = flat[rank * dIn + o * rank + i];
  } else {
    const k = spec.headRank;
    const width = 2 * rank * k;
    const c = affine(mixed, v[`heads/${name}/coefficients/kernel`].data, width, 0, width, v[`heads/${name}/coefficients/bias`].data);
    const basisA = v[`heads/${name}/basisA`].data;
    const basisB = v[`heads/${name}/basisB`].data;
    for (let i = 0; i < rank; i++) {
      A.push(affine(c.slice(i * k, (i + 1) * k), basisA, dIn, 0, dIn));
      const bRow = affine(c.slice((rank + i) * k, (rank + i + 1) * k), basisB, dOut, 0, dOut);
      for (let o = 0; o < dOut; o++) B[o][i] = bRow[o];
    }
  }
  return { gates, A, B, probs, chosen };
}
