// Fused WGSL kernels of the DiT's prepared sampling path on the `webgpu` backend (their WGSL: dit-kernels.ts), registered
// with tf.registerKernel the way tfjs registers its own (a kernel name and a program run by the backend's runWebGPUProgram). On a GPU a
// sampling step costs launches, not arithmetic (about 100 us each on an H200 through Dawn): the tfjs-ops forward takes
// about 45 kernels per block, these take 5 (adaLN-modulated layer norm + qkv, attention, output projection + gated
// residual, layer norm + MLP in + SiLU, MLP out + gated residual). They are for sampling only: their gradients throw.
import * as tf from '@tensorflow/tfjs-core';
import type { DataType, KernelBackend, NamedAttrMap, NamedTensorMap, Tensor, TensorInfo } from '@tensorflow/tfjs-core';
import { LatentDiffusionError } from '../errors';
import { attentionKernel, type KernelSource, linearKernel, linearRows, type LinearShape } from './dit-kernels';

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

/** A kernel source as a tfjs program: tfjs declares the bindings and calls `main` with the flat thread index. */
function tfjsProgram(k: KernelSource, outputShape: number[]): WebGpuProgram {
  const code = `${k.code}
fn modulationBase() -> u32 { return 0u; }
fn main(index : i32) {
  _ = uniforms.NAN;
  kernel(index);
}`;
  return {
    variableNames: k.inputs,
    outputShape,
    shaderKey: `${k.name}_${k.key}`,
    dispatchLayout: { x: outputShape.map((_, i) => i) },
    dispatch: [k.workgroups, 1, 1],
    workgroupSize: [64, 1, 1],
    getUserCode: () => code,
  };
}

/** The shape of a linear layer from its tfjs inputs and attributes (see {@link fusedLinear}). */
function linearShape(inputs: Record<string, TensorInfo>, attrs: NamedAttrMap): LinearShape {
  const [inDim, outDim] = inputs.w.shape;
  return {
    inDim,
    outDim,
    tokens: attrs.tokens as number,
    xRows: inputs.x.shape.slice(0, -1).reduce((a, b) => a * b, 1),
    repeat: (attrs.repeat as number) || 1,
    guided: attrs.guided as boolean,
    guidanceScale: attrs.guidanceScale as number,
    shift: attrs.shift as number,
    scale: attrs.scale as number,
    gate: attrs.gate as number,
    silu: attrs.silu as boolean,
    positional: !!inputs.pos,
    samples: inputs.modulation ? inputs.modulation.shape[1] : 0,
  };
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
    const shape = linearShape(inputs, attrs);
    const kernel = linearKernel(shape);
    return backend.runWebGPUProgram(
      tfjsProgram(kernel, [linearRows(shape), shape.outDim]),
      kernel.inputs.map((n) => inputs[n]),
      'float32',
    );
  });
  const attention = kernelFunc((inputs, attrs, backend) => {
    const { qkv } = inputs;
    const rows = qkv.shape.slice(0, -1).reduce((a, b) => a * b, 1);
    const width = qkv.shape[qkv.shape.length - 1] / 3;
    const kernel = attentionKernel(rows, attrs.tokens as number, attrs.heads as number, width);
    return backend.runWebGPUProgram(tfjsProgram(kernel, [rows, width]), [qkv], 'float32');
  });
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
