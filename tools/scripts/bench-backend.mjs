// Backend set-up and WebGPU dispatch counting shared by the packages' `bench:kernels` scripts:
//   npm run bench:kernels -w <pkg> -- webgpu|wasm|cpu
// webgpu needs a Vulkan driver (see ENVIRONMENT.md: VK_ICD_FILENAMES for lavapipe, or a GPU); DAWN_NODE may name Dawn's
// addon file (on a machine without node_modules), else the `webgpu` package's is used.
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';

const require = createRequire(import.meta.url);

/** Makes `name` tfjs's active backend or throws (a failed start must not fall back to cpu silently). */
export async function useBenchBackend(name = 'cpu') {
  if (name === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
  if (name === 'webgpu') {
    if (!globalThis.navigator?.gpu) {
      const dawn = require(process.env.DAWN_NODE ?? `webgpu/dist/${process.platform}-${process.arch}/dawn.node`);
      Object.assign(globalThis, dawn.globals);
      Object.defineProperty(globalThis, 'navigator', { value: { gpu: dawn.create([]) }, configurable: true });
    }
    // the backend registers itself only if navigator.gpu exists when it loads
    await import('@tensorflow/tfjs-backend-webgpu');
  }
  if (!(await tf.setBackend(name)) || tf.getBackend() !== name) throw new Error(`backend '${name}' could not start`);
  await tf.ready();
}

/**
 * What `f` dispatched on the webgpu backend, counted at the WebGPU API (not by tf.profile, which times every kernel on
 * its own pass), so that commands recorded outside tfjs (latent-diffusion's recorded sampling run) count too: compute
 * dispatches, compute passes and queue submits. Null on other backends. Run it outside tf.profile.
 */
export async function countDispatches(f) {
  if (tf.getBackend() !== 'webgpu') return null;
  const counts = { dispatches: 0, passes: 0, submits: 0 };
  const patches = [
    [globalThis.GPUComputePassEncoder.prototype, 'dispatchWorkgroups', 'dispatches'],
    [globalThis.GPUCommandEncoder.prototype, 'beginComputePass', 'passes'],
    [globalThis.GPUQueue.prototype, 'submit', 'submits'],
  ].map(([proto, name, key]) => {
    const original = proto[name];
    proto[name] = function (...args) {
      counts[key]++;
      return original.apply(this, args);
    };
    return () => (proto[name] = original);
  });
  try {
    await f();
  } finally {
    for (const restore of patches) restore();
  }
  return counts;
}

/** Reshapes and the wrapper entries of custom-gradient ops dispatch nothing; `compute` counts the rest. */
const VIEWS = new Set(['Reshape', 'ExpandDims', 'Squeeze', 'Identity']);
const isWrapper = (name) => name.endsWith('__op') || name === 'unnamed scope';
export const kernelSummary = (kernels) => ({
  all: kernels.length,
  compute: kernels.filter((k) => !isWrapper(k.name) && !VIEWS.has(k.name)).length,
});

/** The backend named by the first command-line argument (default cpu). */
export const backendArgument = () => process.argv[2] ?? 'cpu';
