// Fused WGSL kernels of the DiT's prepared sampling path on the `webgpu` backend, registered with tf.registerKernel
// the way tfjs registers its own (a kernel name and a program run by the backend's runWebGPUProgram). On a GPU a
// sampling step costs launches, not arithmetic (about 100 us each on an H200 through Dawn): the tfjs-ops forward takes
// about 45 kernels per block, these take 5 (adaLN-modulated layer norm + qkv, attention, output projection + gated
// residual, layer norm + MLP in + SiLU, MLP out + gated residual). They are for sampling only: their gradients throw.
import * as tf from '@tensorflow/tfjs-core';
import type { DataType, KernelBackend, NamedAttrMap, NamedTensorMap, Tensor, TensorInfo } from '@tensorflow/tfjs-core';
import { LatentDiffusionError } from '../errors';

/** tfjs-backend-webgpu 4.22's program shape (its `WebGPUProgram`, not exported by name). */
interface WebGpuProgram {
  variableNames: string[];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  getUserCode(): string;
}

interface WebGpuBackendLike {
  runWebGPUProgram(program: WebGpuProgram, inputs: TensorInfo[], dtype: DataType): TensorInfo;
}

export const FUSED_KERNELS = { linear: 'LoragenDiTLinear', attention: 'LoragenDiTAttention' } as const;

/** A flat program: one thread per output element, `body` computes element `idx`. */
function elementwise(
  name: string,
  key: string,
  inputs: string[],
  outputShape: number[],
  body: string,
  functions = '',
  threads?: number,
): WebGpuProgram {
  const size = threads ?? outputShape.reduce((a, b) => a * b, 1);
  const code = `${functions}
fn main(index : i32) {
  _ = uniforms.NAN;
  if (index >= ${size}) { return; }
  let idx = u32(index);
${body}
}`;
  return {
    variableNames: inputs,
    outputShape,
    // sizes are baked into the code, so they are part of the key (tfjs keys programs by input ranks, not sizes)
    shaderKey: `${name}_${key}_${size}`,
    dispatchLayout: { x: outputShape.map((_, i) => i) },
    dispatch: [Math.ceil(size / 64), 1, 1],
    workgroupSize: [64, 1, 1],
    getUserCode: () => code,
  };
}

/**
 * Options of {@link fusedLinear}. Rows of x are (sample, token) pairs, sample-major; `modulation` is one sampling step's
 * modulation [vectors, samples, 1, width] (the DiT's prepared plan), indexed by vector and sample.
 */
export interface FusedLinearOptions {
  tokens: number;
  /** Layer-normalise each row of x, then scale by modulation[scale] (which holds 1 + scale) and shift by modulation[shift]. */
  modulate?: { shift: number; scale: number };
  /** SiLU after the bias. */
  silu?: boolean;
  /** Add positional embeddings pos [tokens, out] after the bias. */
  positional?: boolean;
  /** out = residual + modulation[gate] * (x W + b). */
  gate?: number;
  /** Output samples per sample of x (the first layer of a guided step reads the batch once for both branches). */
  repeat?: number;
  /** Guidance: the output holds the first half of the samples, uncond + scale (cond - uncond) of the two halves. */
  guidanceScale?: number;
}

/**
 * One workgroup (64 threads) per output row: the input row (both branches' rows when guided) is read once into
 * workgroup memory, normalised and modulated there, and each thread computes every 64th output column.
 */
function linearProgram(inputs: Record<string, TensorInfo>, attrs: NamedAttrMap): WebGpuProgram {
  const { x, w } = inputs;
  const [inDim, outDim] = w.shape;
  const tokens = attrs.tokens as number;
  const xRows = x.shape.slice(0, -1).reduce((a, b) => a * b, 1);
  const repeat = (attrs.repeat as number) || 1;
  const guided = attrs.guided as boolean;
  const rows = (xRows * repeat) / (guided ? 2 : 1);
  const branches = guided ? 2 : 1;
  const modulate = (attrs.shift as number) >= 0;
  const gate = attrs.gate as number;
  const samples = inputs.modulation ? inputs.modulation.shape[1] : 0;
  const xSamples = xRows / tokens;
  const names = ['x', 'w', 'bias', ...(inputs.modulation ? ['modulation'] : []), ...(inputs.pos ? ['pos'] : []), ...(inputs.res ? ['res'] : [])];
  const code = `
var<workgroup> xin : array<f32, ${branches * inDim}>;
var<workgroup> stats : array<f32, 4>;

fn main(index : i32) {
  _ = uniforms.NAN;
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
    let shiftAt = (${attrs.shift}u * ${samples}u + s) * ${inDim}u;
    let scaleAt = (${attrs.scale}u * ${samples}u + s) * ${inDim}u;
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
    ${guided ? 'var u = bias[col];' : ''}
    for (var k = 0u; k < ${inDim}u; k = k + 1u) {
      let wk = w[k * ${outDim}u + col];
      y = y + xin[k] * wk;
      ${guided ? `u = u + xin[${inDim}u + k] * wk;` : ''}
    }
    ${attrs.silu ? 'y = y / (1.0 + exp(-y));' : ''}
    ${guided ? `y = u + ${Number(attrs.guidanceScale).toExponential()} * (y - u);` : ''}
    ${inputs.pos ? `y = y + pos[token * ${outDim}u + col];` : ''}
    ${gate >= 0 ? `y = res[row * ${outDim}u + col] + modulation[(${gate}u * ${samples}u + sample) * ${outDim}u + col] * y;` : ''}
    result[row * ${outDim}u + col] = y;
  }
}`;
  const key = [
    inDim,
    outDim,
    tokens,
    xRows,
    repeat,
    guided,
    attrs.guidanceScale,
    attrs.shift,
    attrs.scale,
    gate,
    attrs.silu,
    !!inputs.pos,
    samples,
  ].join('_');
  return {
    variableNames: names,
    outputShape: [rows, outDim],
    shaderKey: `LoragenDiTLinear_${key}`,
    dispatchLayout: { x: [0, 1] },
    dispatch: [rows, 1, 1],
    workgroupSize: [64, 1, 1],
    getUserCode: () => code,
  };
}

/** Scaled dot-product attention of qkv [samples * tokens, 3 * heads * d] (q, k, v blocks, heads inside) -> [.., heads * d]. */
function attentionProgram(qkv: TensorInfo, tokens: number, heads: number): WebGpuProgram {
  const rows = qkv.shape.slice(0, -1).reduce((a, b) => a * b, 1);
  const width = qkv.shape[qkv.shape.length - 1] / 3;
  const d = width / heads;
  const body = `
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
  for (var c = 0u; c < ${d}u; c = c + 1u) { result[row * ${width}u + h * ${d}u + c] = acc[c] / total; }`;
  return elementwise('LoragenDiTAttention', `${rows}_${tokens}_${heads}_${width}`, ['qkv'], [rows, width], body, '', rows * heads);
}

function noGradient(): never {
  throw new LatentDiffusionError(
    "the DiT's fused WebGPU sampling kernels have no gradient",
    'differentiate DiT.predict (the training path), not the prepared sampling plan',
  );
}

let registered = false;
function register(): void {
  if (registered) return;
  const kernelFunc = (run: (inputs: Record<string, TensorInfo>, attrs: NamedAttrMap, backend: WebGpuBackendLike) => TensorInfo) =>
    (({ inputs, backend, attrs }: { inputs: NamedTensorMap; backend: KernelBackend; attrs?: NamedAttrMap }) =>
      run(inputs as unknown as Record<string, TensorInfo>, attrs ?? {}, backend as unknown as WebGpuBackendLike)) as never;
  const linear = kernelFunc((inputs, attrs, backend) => {
    const names = ['x', 'w', 'bias', 'modulation', 'pos', 'res'].filter((n) => inputs[n]);
    return backend.runWebGPUProgram(
      linearProgram(inputs, attrs),
      names.map((n) => inputs[n]),
      'float32',
    );
  });
  const attention = kernelFunc((inputs, attrs, backend) =>
    backend.runWebGPUProgram(attentionProgram(inputs.qkv, attrs.tokens as number, attrs.heads as number), [inputs.qkv], 'float32'),
  );
  for (const [kernelName, func] of [
    [FUSED_KERNELS.linear, linear],
    [FUSED_KERNELS.attention, attention],
  ] as const) {
    if (!tf.getKernel(kernelName, 'webgpu')) tf.registerKernel({ kernelName, backendName: 'webgpu', kernelFunc: func });
    if (!tf.getGradient(kernelName)) tf.registerGradient({ kernelName, gradFunc: noGradient });
  }
  registered = true;
}

let enabled = true;

/**
 * Switches the DiT's fused WebGPU sampling kernels off (false) or back on (true, the default). Off, a prepared
 * sampling run on webgpu evaluates the tfjs-ops forward: for comparing the two, or when debugging.
 */
export function setFusedSamplingKernels(on: boolean): void {
  enabled = on;
}

/** Whether a prepared sampling run uses the fused kernels now (the backend is webgpu and they are on). */
export function fusedSamplingActive(): boolean {
  if (!enabled || tf.getBackend() !== 'webgpu') return false;
  register();
  return true;
}

/** x W + b with the prologue and epilogue of `opts`, as [rows, out] (see {@link FusedLinearOptions}). */
export function fusedLinear(
  x: Tensor,
  weights: { kernel: Tensor; bias: Tensor },
  opts: FusedLinearOptions,
  extra: { modulation?: Tensor; pos?: Tensor; res?: Tensor } = {},
): Tensor {
  const inputs: Record<string, Tensor> = { x, w: weights.kernel, bias: weights.bias };
  for (const [name, t] of Object.entries(extra)) if (t) inputs[name] = t;
  const attrs = {
    tokens: opts.tokens,
    shift: opts.modulate?.shift ?? -1,
    scale: opts.modulate?.scale ?? -1,
    gate: opts.gate ?? -1,
    silu: !!opts.silu,
    repeat: opts.repeat ?? 1,
    guided: opts.guidanceScale !== undefined,
    guidanceScale: opts.guidanceScale ?? 1,
  };
  return tf.engine().runKernel(FUSED_KERNELS.linear, inputs as unknown as NamedTensorMap, attrs) as Tensor;
}

/** Attention of every head of qkv [samples * tokens, 3 * width] (the qkv layer's output), [samples * tokens, width]. */
export function fusedAttention(qkv: Tensor, tokens: number, heads: number): Tensor {
  return tf.engine().runKernel(FUSED_KERNELS.attention, { qkv } as unknown as NamedTensorMap, { tokens, heads }) as Tensor;
}
