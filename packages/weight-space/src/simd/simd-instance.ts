import { KernelModuleError } from '../errors';
import { type SimdKernels } from './kernel-abi';
import { KERNEL_WASM, KERNEL_WASM_SHARED } from './kernel-bytes.generated';

/**
 * The compiled kernel module, one for an ordinary and one for a shared memory. Compiled synchronously (a few
 * kilobytes: allowed on every engine's main thread), once. A module that does not compile or instantiate where
 * WebAssembly SIMD exists is a bug, thrown as a {@link KernelModuleError}; only an engine without WebAssembly SIMD
 * falls back (to the tfjs-ops formulation), saying so once.
 */
const compiled = new Map<boolean, WebAssembly.Module | null>();
const instances = new WeakMap<WebAssembly.Memory, SimdKernels>();

const isShared = (memory: WebAssembly.Memory) => typeof SharedArrayBuffer === 'function' && memory.buffer instanceof SharedArrayBuffer;

/** The smallest module using a SIMD instruction, `(func (result v128) v128.const 0)`: whether this engine has SIMD. */
const SIMD_PROBE = Uint8Array.of(
  0x00,
  0x61,
  0x73,
  0x6d,
  0x01,
  0x00,
  0x00,
  0x00, // magic, version
  0x01,
  0x05,
  0x01,
  0x60,
  0x00,
  0x01,
  0x7b, // types: () -> v128
  0x03,
  0x02,
  0x01,
  0x00, // one function of type 0
  0x0a,
  0x16,
  0x01,
  0x14,
  0x00,
  0xfd,
  0x0c,
  ...new Array<number>(16).fill(0),
  0x0b, // body: v128.const 0
);

let simd: boolean | undefined;
/** Whether WebAssembly with SIMD exists here; the first time it does not, one console warning says what that means. */
export function wasmSimdSupported(): boolean {
  if (simd === undefined) {
    simd = typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
    if (!simd) {
      console.warn(
        '@loragen/weight-space: this JavaScript engine has no WebAssembly SIMD, so on the cpu and wasm backends the ' +
          'factored losses run as tfjs ops (same results within float32 rounding, slower).',
      );
    }
  }
  return simd;
}

const decodeBase64 = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

/** The compiled kernel module for a shared or ordinary memory; null only without WebAssembly SIMD. */
export function kernelModule(sharedMemory: boolean): WebAssembly.Module | null {
  if (!wasmSimdSupported()) return null;
  let module = compiled.get(sharedMemory);
  if (!module) {
    try {
      module = new WebAssembly.Module(decodeBase64(sharedMemory ? KERNEL_WASM_SHARED : KERNEL_WASM));
    } catch (cause) {
      throw new KernelModuleError(`the SIMD kernel module${sharedMemory ? ' for a shared memory' : ''} does not compile`, cause);
    }
    compiled.set(sharedMemory, module);
  }
  return module;
}

/** The kernels working on `memory` (one instance per memory), or null without WebAssembly SIMD. */
export function simdKernelsFor(memory: WebAssembly.Memory): SimdKernels | null {
  const cached = instances.get(memory);
  if (cached) return cached;
  const module = kernelModule(isShared(memory));
  if (!module) return null;
  let kernels: SimdKernels;
  try {
    kernels = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as SimdKernels;
  } catch (cause) {
    throw new KernelModuleError('the SIMD kernel module does not instantiate on this memory', cause);
  }
  instances.set(memory, kernels);
  return kernels;
}
