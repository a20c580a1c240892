import * as tf from '@tensorflow/tfjs-core';
import type { KernelBackend, NamedTensorMap, Tensor, TensorInfo } from '@tensorflow/tfjs-core';
import { leftMulKernel, lowRankInnerKernel, lowRankSvdKernel, rightMulKernel } from './factored-kernels';
import { type KernelHeap, openHeap, runOnHeap } from './heap';

/**
 * tfjs kernels that run the factored losses' heavy work with WebAssembly SIMD on the CPU-resident backends (cpu and
 * wasm), registered on first use. Other backends (webgpu, webgl, tensorflow) keep the tfjs-ops formulation; the
 * loss functions choose with {@link simdKernelsActive}.
 */
export const KERNELS = {
  svd: 'LoragenLowRankSvd',
  inner: 'LoragenLowRankInner',
  leftMul: 'LoragenLeftMul',
  rightMul: 'LoragenRightMul',
} as const;

const HOST_BACKENDS = ['cpu', 'wasm'];

type Work = (heap: KernelHeap, inputs: TensorInfo[]) => void;
const work: Record<string, { inputs: string[]; run: Work }> = {
  [KERNELS.svd]: { inputs: ['a', 'b'], run: (h, [a, b]) => lowRankSvdKernel(h, a, b) },
  [KERNELS.inner]: { inputs: ['a1', 'b1', 'a2', 'b2'], run: (h, [a1, b1, a2, b2]) => lowRankInnerKernel(h, a1, b1, a2, b2) },
  [KERNELS.leftMul]: { inputs: ['m', 'x'], run: (h, [m, x]) => leftMulKernel(h, m, x) },
  [KERNELS.rightMul]: { inputs: ['x', 'm'], run: (h, [x, m]) => rightMulKernel(h, x, m) },
};

let registered = false;
let enabled = true;

function register(): void {
  for (const [kernelName, { inputs, run }] of Object.entries(work)) {
    for (const backendName of HOST_BACKENDS) {
      if (tf.getKernel(kernelName, backendName)) continue;
      tf.registerKernel({
        kernelName,
        backendName,
        kernelFunc: ({ inputs: given, backend }) => {
          const outs = runOnHeap(backend as KernelBackend, backendName, (heap) => run(heap, inputs.map((name) => given[name] as TensorInfo)));
          return outs.length === 1 ? outs[0] : outs;
        },
      });
    }
  }
  registerGradients();
  registered = true;
}

/**
 * Whether the SIMD kernels serve the current backend: it is cpu or wasm, WebAssembly SIMD is available, and they
 * were not switched off with {@link setSimdKernels}.
 */
export function simdKernelsActive(): boolean {
  if (!enabled) return false;
  const name = tf.getBackend();
  if (!HOST_BACKENDS.includes(name) || !openHeap(tf.backend(), name)) return false;
  if (!registered) register();
  return true;
}

/**
 * Switches the SIMD kernels off (false) or back on (true, the default). Off, cpu and wasm use the same tfjs-ops
 * formulation as the GPU backends: for comparing the two, or to rule the kernels out when debugging.
 */
export function setSimdKernels(on: boolean): void {
  enabled = on;
}

/** Runs a registered host kernel on tensors (outputs in declaration order). */
export function runHostKernel(name: string, inputs: Record<string, Tensor>): Tensor[] {
  const out = tf.engine().runKernel(name, inputs as unknown as NamedTensorMap);
  return Array.isArray(out) ? (out as Tensor[]) : [out as Tensor];
}

/** M [N, p, q] X [N, q, L]: the SIMD kernel where it serves (L a multiple of 16), else tf.matMul. */
export function leftMul(m: Tensor, x: Tensor): Tensor {
  if ((x.shape[2] as number) % 16 === 0 && simdKernelsActive()) return runHostKernel(KERNELS.leftMul, { m, x })[0];
  return tf.matMul(m, x);
}

/** X [N, L, q] M [N, q, p]: the SIMD kernel where it serves (p a multiple of 4), else tf.matMul. */
export function rightMul(x: Tensor, m: Tensor): Tensor {
  if ((m.shape[2] as number) % 4 === 0 && simdKernelsActive()) return runHostKernel(KERNELS.rightMul, { x, m })[0];
  return tf.matMul(x, m);
}

function registerGradients(): void {
  const cutoffWeights = (dy: Tensor, sigma: Tensor) =>
    // The frames are zero past the cutoff, so dividing by 1 there only keeps 0 * (dy / 0) out.
    tf.div(dy, tf.where(tf.greater(sigma, 0), sigma, tf.onesLike(sigma)));
  const sandwich = (frame: Tensor, weights: Tensor) => tf.matMul(tf.mul(frame, tf.expandDims(weights, 1)), frame, false, true);
  tf.registerGradient({
    kernelName: KERNELS.svd,
    inputsToSave: ['a', 'b'],
    outputsToSave: [true, true, true],
    gradFunc: (dys, saved) => {
      const [a, b, sigma, left, right] = saved;
      const weights = cutoffWeights((dys as Tensor[])[0], sigma);
      return {
        a: () => leftMul(sandwich(left, weights), a),
        b: () => rightMul(b, sandwich(right, weights)),
      };
    },
  });
  tf.registerGradient({
    kernelName: KERNELS.inner,
    inputsToSave: ['a1', 'b1', 'a2', 'b2'],
    outputsToSave: [false, true, true],
    gradFunc: (dys, saved) => {
      const [a1, b1, a2, b2, crossA, crossB] = saved;
      const scale = tf.reshape((dys as Tensor[])[0], [-1, 1, 1]);
      const t = (x: Tensor) => tf.transpose(x, [0, 2, 1]);
      return {
        a1: () => leftMul(tf.mul(crossB, scale), a2),
        a2: () => leftMul(tf.mul(t(crossB), scale), a1),
        b1: () => rightMul(b2, tf.mul(t(crossA), scale)),
        b2: () => rightMul(b1, tf.mul(crossA, scale)),
      };
    },
  });
  // The products are linear: C = M X gives dM = dC X^T, dX = M^T dC (and likewise for X M).
  tf.registerGradient({
    kernelName: KERNELS.leftMul,
    inputsToSave: ['m', 'x'],
    gradFunc: (dy, [m, x]) => ({
      m: () => tf.matMul(dy as Tensor, x, false, true),
      x: () => leftMul(tf.transpose(m, [0, 2, 1]), dy as Tensor),
    }),
  });
  tf.registerGradient({
    kernelName: KERNELS.rightMul,
    inputsToSave: ['x', 'm'],
    gradFunc: (dy, [x, m]) => ({
      x: () => rightMul(dy as Tensor, tf.transpose(m, [0, 2, 1])),
      m: () => tf.matMul(x, dy as Tensor, true, false),
    }),
  });
}
