import { type SimdKernels, kernelModuleBytes } from './kernels';

let compiled: WebAssembly.Module | null | undefined;
const instances = new WeakMap<WebAssembly.Memory, SimdKernels>();

/** The compiled kernel module, or null where WebAssembly or its SIMD extension is missing (checked once). */
function kernelModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      compiled = typeof WebAssembly === 'object' ? new WebAssembly.Module(kernelModuleBytes()) : null;
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

/** The SIMD kernels working on `memory` (one instance per memory), or null without WebAssembly SIMD. */
export function simdKernelsFor(memory: WebAssembly.Memory): SimdKernels | null {
  const cached = instances.get(memory);
  if (cached) return cached;
  const module = kernelModule();
  if (!module) return null;
  const kernels = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as SimdKernels;
  instances.set(memory, kernels);
  return kernels;
}
