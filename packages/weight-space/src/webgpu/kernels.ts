import * as tf from '@tensorflow/tfjs-core';
import type { KernelBackend, NamedAttrMap, NamedTensorMap, Tensor, TensorInfo } from '@tensorflow/tfjs-core';
import { WeightSpaceError } from '../errors';
import { coefficientProgram, columnsProgram, leftProductProgram, rightProductProgram } from './gradient-programs';
import type { WebGpuBackendLike } from './program';
import { MAX_STACKED_RANK, type SpectraShape, packLayout, spectraProgram, spectraWorkgroupBytes } from './spectra-program';

/**
 * WGSL kernels of the factored losses for the `webgpu` backend, registered with tf.registerKernel the way tfjs
 * registers its own (a kernel name, a program run by the backend's runWebGPUProgram, a gradient registered by name).
 * The singular values, inner product and frames of every position take one dispatch forward and three backward,
 * where the tfjs-ops formulation takes thousands. Other backends keep their implementation (the SIMD kernels on cpu
 * and wasm, tfjs ops elsewhere); the loss functions choose with {@link webGpuKernelsServe}.
 */
export const WEBGPU_KERNELS = {
  spectra: 'LoragenWebGpuSpectra',
  pairSpectra: 'LoragenWebGpuPairSpectra',
  spectraGrad: 'LoragenWebGpuSpectraGrad',
} as const;

let enabled = true;
let registered = false;

/**
 * Switches the WebGPU kernels off (false) or back on (true, the default). Off, webgpu runs the tfjs-ops formulation:
 * for comparing the two, or to rule the kernels out when debugging.
 */
export function setWebGpuKernels(on: boolean): void {
  enabled = on;
}

/** Whether the WebGPU kernels serve the current backend: it is webgpu and they were not switched off. */
export function webGpuKernelsActive(): boolean {
  if (!enabled || tf.getBackend() !== 'webgpu') return false;
  if (!registered) register();
  return true;
}

/** Whether the WebGPU kernels take factors of these ranks (stacked rank and workgroup memory within the limits). */
export function webGpuKernelsServe(rank: number, targetRank = 0, targetSpectrum = false): boolean {
  if (!webGpuKernelsActive() || rank + targetRank > MAX_STACKED_RANK) return false;
  const backend = tf.backend() as unknown as WebGpuBackendLike;
  const shape = { positions: 1, rank, targetRank, dIn: 1, dOut: 1, targetSpectrum };
  return spectraWorkgroupBytes(shape) <= backend.device.limits.maxComputeWorkgroupStorageSize;
}

const positionsOf = (t: TensorInfo) => t.shape.slice(0, -2).reduce((n, d) => n * d, 1);
const lastTwo = (t: TensorInfo) => t.shape.slice(-2) as [number, number];

function shapeOf(inputs: NamedTensorMap | Record<string, TensorInfo>, targetSpectrum: boolean): SpectraShape {
  const { a, b, ta } = inputs as Record<string, TensorInfo>;
  const [rank, dIn] = lastTwo(a);
  return { positions: positionsOf(a), rank, targetRank: ta ? lastTwo(ta)[0] : 0, dIn, dOut: lastTwo(b)[0], targetSpectrum };
}

/** Factor inputs in the programs' order (a, b[, ta, tb]). */
const factorInputs = (inputs: Record<string, TensorInfo>) => (inputs.ta ? [inputs.a, inputs.b, inputs.ta, inputs.tb] : [inputs.a, inputs.b]);

/**
 * Outputs: sigma [N, r], then in pair mode the inner product [N] and with `targetSpectrum` the target's sigma
 * [N, rt], last the packed row of every position (frames and cross Grams, for the gradient).
 */
function spectraKernel({ inputs, backend, attrs }: { inputs: NamedTensorMap; backend: KernelBackend; attrs?: NamedAttrMap }): TensorInfo[] {
  const gpu = backend as unknown as WebGpuBackendLike;
  const given = inputs as unknown as Record<string, TensorInfo>;
  const shape = shapeOf(given, !!attrs?.targetSpectrum);
  const layout = packLayout(shape);
  const pack = gpu.runWebGPUProgram(spectraProgram(shape), factorInputs(given), 'float32');
  const column = (from: number, width: number) => gpu.runWebGPUProgram(columnsProgram(shape.positions, layout.width, from, width), [pack], 'float32');
  const outs = [column(layout.sigma, shape.rank)];
  if (shape.targetRank > 0) {
    const inner = column(layout.inner, 1);
    outs.push({ ...inner, shape: [shape.positions] });
    if (shape.targetSpectrum) outs.push(column(layout.targetSigma, shape.targetRank));
  }
  return [...outs, pack];
}

/**
 * Inputs: the factors, the saved pack and the upstream gradients (dsigma[, dinner[, dtsigma]]); attrs.set 'pred'
 * gives [dA, dB], 'target' [dA_t, dB_t]. One coefficient dispatch and one product per output.
 */
function spectraGradKernel({ inputs, backend, attrs }: { inputs: NamedTensorMap; backend: KernelBackend; attrs?: NamedAttrMap }): TensorInfo[] {
  const gpu = backend as unknown as WebGpuBackendLike;
  const given = inputs as unknown as Record<string, TensorInfo>;
  const shape = shapeOf(given, !!attrs?.targetSpectrum);
  const { rank: r, targetRank: rt } = shape;
  const upstream = [given.dsigma, ...(rt > 0 ? [given.dinner] : []), ...(shape.targetSpectrum ? [given.dtsigma] : [])];
  const coef = gpu.runWebGPUProgram(coefficientProgram(shape), [given.pack, ...upstream], 'float32');
  const target = attrs?.set === 'target';
  const [from, count] = target ? [r, rt] : [0, r];
  const [left, right] = [
    [coef, given.a, ...(rt > 0 ? [given.ta] : [])],
    [coef, given.b, ...(rt > 0 ? [given.tb] : [])],
  ];
  const dA = gpu.runWebGPUProgram(leftProductProgram(shape, from, count), left, 'float32');
  const dB = gpu.runWebGPUProgram(rightProductProgram(shape, from, count), right, 'float32');
  gpu.disposeData(coef.dataId);
  const like = target ? [given.ta, given.tb] : [given.a, given.b];
  return [
    { ...dA, shape: like[0].shape },
    { ...dB, shape: like[1].shape },
  ];
}

function register(): void {
  for (const kernelName of [WEBGPU_KERNELS.spectra, WEBGPU_KERNELS.pairSpectra]) {
    if (!tf.getKernel(kernelName, 'webgpu')) tf.registerKernel({ kernelName, backendName: 'webgpu', kernelFunc: spectraKernel as never });
  }
  if (!tf.getKernel(WEBGPU_KERNELS.spectraGrad, 'webgpu')) {
    tf.registerKernel({ kernelName: WEBGPU_KERNELS.spectraGrad, backendName: 'webgpu', kernelFunc: spectraGradKernel as never });
  }
  if (!tf.getGradient(WEBGPU_KERNELS.spectraGrad)) {
    tf.registerGradient({
      kernelName: WEBGPU_KERNELS.spectraGrad,
      gradFunc: () => {
        throw new WeightSpaceError(
          'second-order derivatives of the factored losses are not supported: their gradients are first order (custom ' +
            'gradients whose saved values are treated as constants). Differentiate the loss once, or use finite differences of the gradient.',
        );
      },
    });
  }
  registerSpectraGradient(WEBGPU_KERNELS.spectra, false);
  registerSpectraGradient(WEBGPU_KERNELS.pairSpectra, true);
  registered = true;
}

function registerSpectraGradient(kernelName: string, pair: boolean): void {
  if (tf.getGradient(kernelName)) return;
  tf.registerGradient({
    kernelName,
    inputsToSave: pair ? ['a', 'b', 'ta', 'tb'] : ['a', 'b'],
    // the pack is the last output, whose index depends on the mode: every output is saved (no copies on webgpu)
    outputsToSave: [true, true, true, true],
    gradFunc: (dys, saved, attrs) => {
      const dy = dys as Tensor[];
      const [a, b, ta, tb] = saved;
      const pack = saved[saved.length - 1];
      const targetSpectrum = !!attrs.targetSpectrum;
      const base: Record<string, Tensor> = { a, b, pack, dsigma: dy[0] };
      if (pair) Object.assign(base, { ta, tb, dinner: dy[1] }, targetSpectrum ? { dtsigma: dy[2] } : {});
      const grads = (set: 'pred' | 'target') =>
        tf.engine().runKernel(WEBGPU_KERNELS.spectraGrad, base as unknown as NamedTensorMap, { targetSpectrum, set }) as Tensor[];
      // the prediction's are needed in every training step: computed here, once for both factors
      const [dA, dB] = grads('pred');
      const result: Record<string, () => Tensor> = { a: () => dA, b: () => dB };
      if (pair) {
        result.ta = () => grads('target')[0];
        result.tb = () => grads('target')[1];
      }
      return result;
    },
  });
}

/** Runs the spectra kernel: [sigma [N, r], (inner [N], target sigma [N, rt])] (the pack is an internal output). */
export function runSpectra(pred: { A: Tensor; B: Tensor }, target: { A: Tensor; B: Tensor } | null, targetSpectrum: boolean): Tensor[] {
  const inputs: Record<string, Tensor> = { a: pred.A, b: pred.B };
  if (target) Object.assign(inputs, { ta: target.A, tb: target.B });
  const name = target ? WEBGPU_KERNELS.pairSpectra : WEBGPU_KERNELS.spectra;
  const out = tf.engine().runKernel(name, inputs as unknown as NamedTensorMap, { targetSpectrum }) as Tensor[];
  const pack = out[out.length - 1];
  pack.dispose();
  return out.slice(0, -1);
}
