// WGSL of the DiT's fused sampling layers, apart from how they are launched: one at a time as tfjs kernels
// (fused-kernels.ts), or all of a sampling run's recorded into one command buffer (recorded-sampling.ts). Each source
// defines `fn kernel(index : i32)` over storage arrays named by its `inputs` and `outputs`; the launcher declares those
// bindings, the builtins `localId`, `workgroupId`, `numWorkgroups` (module-scope, as tfjs does), `index` (the flat
// thread id) and `modulationBase()`, where the current step's modulation starts in `modulation`. Sizes are baked in.

/** A kernel's WGSL and launch size (workgroups of 64 threads, one dimension). */
export interface KernelSource {
  /** Names the shader with `key` (tfjs keys programs by input ranks only, so sizes must be part of the key). */
  name: string;
  key: string;
  /** Storage arrays read, in binding order. */
  inputs: string[];
  /** Storage arrays written (tfjs programs have one, `result`). */
  outputs: string[];
  code: string;
  workgroups: number;
}

/** What {@link linearKernel} computes; see `FusedLinearOptions` for the meaning of each option. */
export interface LinearShape {
  inDim: number;
  outDim: number;
  tokens: number;
  /** Rows of x (samples x tokens). */
  xRows: number;
  repeat: number;
  guided: boolean;
  guidanceScale: number;
  /** Modulation vector indices, -1 for none. */
  shift: number;
  scale: number;
  gate: number;
  silu: boolean;
  positional: boolean;
  /** Samples in the modulation (0 without one). */
  samples: number;
}

/** Output rows of a linear layer of this shape (the guided output keeps the first half). */
export const linearRows = (s: LinearShape): number => (s.xRows * s.repeat) / (s.guided ? 2 : 1);

/**
 * x W + b with an optional adaLN prologue and gating / guidance epilogue. One workgroup (64 threads) per output row:
 * the input row (both branches' rows when guided) is read once into workgroup memory, normalised and modulated there,
 * and each thread computes every 64th output column.
 */
export function linearKernel(s: LinearShape): KernelSource {
  const { inDim, outDim, tokens, samples } = s;
  const rows = linearRows(s);
  const branches = s.guided ? 2 : 1;
  const modulate = s.shift >= 0;
  const xSamples = s.xRows / tokens;
  const inputs = ['x', 'w', 'bias', ...(samples > 0 ? ['modulation'] : []), ...(s.positional ? ['pos'] : []), ...(s.gate >= 0 ? ['res'] : [])];
  const code = `
var<workgroup> xin : array<f32, ${branches * inDim}>;
var<workgroup> stats : array<f32, 4>;

fn kernel(index : i32) {
  let row = workgroupId.x + workgroupId.y * numWorkgroups.x;
  let t = localId.x;
  let sample = row / ${tokens}u;
  let token = row % ${tokens}u;
  let valid = row < ${rows}u;
  for (var br = 0u; br < ${branches}u; br = br + 1u) {
    let xr = (((sample + br * ${rows / tokens}u) % ${xSamples}u) * ${tokens}u + token) * ${inDim}u;
    for (var k = t; k < ${inDim}u; k = k + 64u) { xin[br * ${inDim}u + k] = select(0.0, x[xr + k], valid); }
  }
  workgroupBarrier();
  ${
    modulate
      ? `if (t < ${branches}u) {
    var mean = 0.0;
    for (var k = 0u; k < ${inDim}u; k = k + 1u) { mean = mean + xin[t * ${inDim}u + k]; }
    mean = mean / ${inDim}.0;
    var variance = 0.0;
    for (var k = 0u; k < ${inDim}u; k = k + 1u) { let c = xin[t * ${inDim}u + k] - mean; variance = variance + c * c; }
    stats[2u * t] = mean;
    stats[2u * t + 1u] = inverseSqrt(variance / ${inDim}.0 + 1e-6);
  }
  workgroupBarrier();
  for (var br = 0u; br < ${branches}u; br = br + 1u) {
    let s = min(sample + br * ${rows / tokens}u, ${samples - 1}u);
    let shiftAt = modulationBase() + (${s.shift}u * ${samples}u + s) * ${inDim}u;
    let scaleAt = modulationBase() + (${s.scale}u * ${samples}u + s) * ${inDim}u;
    for (var k = t; k < ${inDim}u; k = k + 64u) {
      let i = br * ${inDim}u + k;
      xin[i] = (xin[i] - stats[2u * br]) * (stats[2u * br + 1u] * modulation[scaleAt + k]) + modulation[shiftAt + k];
    }
  }
  workgroupBarrier();`
      : ''
  }
  if (!valid) { return; }
  for (var col = t; col < ${outDim}u; col = col + 64u) {
    var y = bias[col];
    ${s.guided ? 'var u = bias[col];' : ''}
    for (var k = 0u; k < ${inDim}u; k = k + 1u) {
      let wk = w[k * ${outDim}u + col];
      y = y + xin[k] * wk;
      ${s.guided ? `u = u + xin[${inDim}u + k] * wk;` : ''}
    }
    ${s.silu ? 'y = y / (1.0 + exp(-y));' : ''}
    ${s.guided ? `y = u + ${s.guidanceScale.toExponential()} * (y - u);` : ''}
    ${s.positional ? `y = y + pos[token * ${outDim}u + col];` : ''}
    ${s.gate >= 0 ? `y = res[row * ${outDim}u + col] + modulation[modulationBase() + (${s.gate}u * ${samples}u + sample) * ${outDim}u + col] * y;` : ''}
    result[row * ${outDim}u + col] = y;
  }
}`;
  const key = [inDim, outDim, tokens, s.xRows, s.repeat, s.guided, s.guidanceScale, s.shift, s.scale, s.gate, s.silu, s.positional, samples].join(
    '_',
  );
  return { name: 'LoragenDiTLinear', key, inputs, outputs: ['result'], code, workgroups: rows };
}

/**
 * Scaled dot-product attention of qkv [samples * tokens, 3 * width] (q, k, v blocks, heads inside) -> [.., width]:
 * one thread per (row, head), an online softmax over the sample's tokens.
 */
export function attentionKernel(rows: number, tokens: number, heads: number, width: number): KernelSource {
  const d = width / heads;
  const threads = rows * heads;
  const code = `
fn kernel(index : i32) {
  if (index >= ${threads}) { return; }
  let idx = u32(index);
  let h = idx % ${heads}u;
  let row = idx / ${heads}u;
  let first = (row / ${tokens}u) * ${tokens}u;
  let q = row * ${3 * width}u + h * ${d}u;
  var acc : array<f32, ${d}>;
  for (var c = 0u; c < ${d}u; c = c + 1u) { acc[c] = 0.0; }
  var top = -3.0e38;
  var total = 0.0;
  for (var j = 0u; j < ${tokens}u; j = j + 1u) {
    let k = (first + j) * ${3 * width}u + ${width}u + h * ${d}u;
    var score = 0.0;
    for (var c = 0u; c < ${d}u; c = c + 1u) { score = score + qkv[q + c] * qkv[k + c]; }
    score = score * ${(1 / Math.sqrt(d)).toExponential()};
    let next = max(top, score);
    let rescale = exp(top - next);
    let p = exp(score - next);
    total = total * rescale + p;
    for (var c = 0u; c < ${d}u; c = c + 1u) { acc[c] = acc[c] * rescale + p * qkv[k + ${width}u + c]; }
    top = next;
  }
  for (var c = 0u; c < ${d}u; c = c + 1u) { result[row * ${width}u + h * ${d}u + c] = acc[c] / total; }
}`;
  return {
    name: 'LoragenDiTAttention',
    key: `${rows}_${tokens}_${heads}_${width}`,
    inputs: ['qkv'],
    outputs: ['result'],
    code,
    workgroups: Math.ceil(threads / 64),
  };
}
