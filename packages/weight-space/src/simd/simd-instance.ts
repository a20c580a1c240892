import { type SimdKernels, kernelModuleBytes } from './kernels';

/** The compiled modules, for an unshared and a shared memory: null where WebAssembly or a needed feature is missing. */
const compiled = new Map<boolean, WebAssembly.Module | null>();
const instances = new WeakMap<WebAssembly.Memory, SimdKernels>();

const isShared = (memory: WebAssembly.Memory) => typeof SharedArrayBuffer === 'function' && memory.buffer instanceof SharedArrayBuffer;

/** The compiled kernel module for a shared or unshared memory, or null where it cannot compile here (checked once). */
export function kernelModule(sharedMemory: boolean): WebAssembly.Module | null {
  if (!compiled.has(sharedMemory)) {
    let module: WebAssembly.Module | null = null;
    try {
      module = typeof WebAssembly === 'object' ? new WebAssembly.Module(kernelModuleBytes(sharedMemory)) : null;
    } catch {
      module = null;
    }
    compiled.set(sharedMemory, module);
  }
  return compiled.get(sharedMemory) ?? null;
}

/** The SIMD kernels working on `memory` (one instance per memory), or null without WebAssembly SIMD. */
export function simdKernelsFor(memory: WebAssembly.Memory): SimdKernels | null {
  const cached = instances.get(memory);
  if (cached) return cached;
  const module = kernelModule(isShared(memory));
  if (!module) return null;
  const kernels = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as SimdKernels;
  instances.set(memory, kernels);
  return kernels;
}
