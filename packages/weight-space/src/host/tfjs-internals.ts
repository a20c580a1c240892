import * as tf from '@tensorflow/tfjs-core';
import type { DataId, KernelBackend, Tensor, TensorInfo } from '@tensorflow/tfjs-core';
import { UnsupportedTfjsError } from '../errors';

/**
 * Every piece of tfjs that is not public API and that the host kernels rely on, in one place, checked against the
 * version they were written for: tfjs-backend-wasm's heap (its emscripten memory, malloc/free, where each tensor's
 * data lies), tfjs-cpu's tensor constructor, the backends' reference counts, and tfjs-core's gradient tape. Another
 * tfjs version, or a backend without these fields, is an {@link UnsupportedTfjsError}, never a guess.
 */

/** The tfjs minor version whose internals this module knows. */
export const KNOWN_TFJS = '4.22';

/** Throws an {@link UnsupportedTfjsError} unless `version` (tfjs-core's, by default) is 4.22.x. */
export function checkTfjsVersion(version: string = tf.version_core): void {
  if (version === KNOWN_TFJS || version.startsWith(`${KNOWN_TFJS}.`)) return;
  throw new UnsupportedTfjsError(
    `the SIMD kernels of the cpu and wasm backends read tfjs internals known for tfjs ${KNOWN_TFJS}.x, and @tensorflow/tfjs-core is ${version}`,
  );
}

/** tfjs-backend-wasm 4.22's BackendWasm, as far as the kernels use it. */
interface WasmBackendInternals extends KernelBackend {
  wasm: { asm?: { memory?: WebAssembly.Memory }; _malloc(bytes: number): number; _free(ptr: number): void };
  dataIdMap: { get(id: DataId): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
}

/** What the kernels need of tfjs-wasm: its heap, allocation in it, and tensors' data addresses in it. */
export interface WasmHeapAccess {
  memory: WebAssembly.Memory;
  malloc(bytes: number): number;
  free(address: number): void;
  /** Byte address of a tensor's data in `memory`. */
  addressOf(t: TensorInfo): number;
  /** A new float32 output of the backend, and the byte address to write it at. */
  makeOutput(shape: number[]): { info: TensorInfo; address: number };
}

/** tfjs-wasm's heap behind `backend` (the registered 'wasm' backend); throws if its internals are not the known ones. */
export function wasmHeapAccess(backend: KernelBackend): WasmHeapAccess {
  checkTfjsVersion();
  const b = backend as Partial<WasmBackendInternals>;
  const memory = b.wasm?.asm?.memory;
  if (
    !(memory instanceof WebAssembly.Memory) ||
    typeof b.wasm?._malloc !== 'function' ||
    typeof b.wasm._free !== 'function' ||
    typeof b.dataIdMap?.get !== 'function' ||
    typeof b.makeOutput !== 'function'
  ) {
    throw new UnsupportedTfjsError(
      "the 'wasm' backend lacks the fields of tfjs-backend-wasm 4.22 the SIMD kernels use (wasm.asm.memory, wasm._malloc, dataIdMap, makeOutput)",
    );
  }
  const wasm = b as WasmBackendInternals;
  const addressOf = (t: TensorInfo) => {
    const data = wasm.dataIdMap.get(t.dataId);
    if (!data) throw new UnsupportedTfjsError("a tensor of the 'wasm' backend has no entry in its dataIdMap");
    return data.memoryOffset;
  };
  return {
    memory,
    malloc: (bytes) => wasm.wasm._malloc(bytes),
    free: (address) => wasm.wasm._free(address),
    addressOf,
    makeOutput: (shape) => {
      const info = wasm.makeOutput(shape, 'float32');
      return { info, address: addressOf(info) };
    },
  };
}

/** tfjs-backend-cpu 4.22's MathBackendCPU, as far as the kernels use it. */
interface CpuBackendInternals extends KernelBackend {
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo;
}

/** What the kernels need of tfjs-cpu: reading an input's values and making an output from values. */
export interface CpuTensorAccess {
  read(t: TensorInfo): Float32Array;
  make(shape: number[], values: Float32Array): TensorInfo;
}

/** tfjs-cpu's tensor access behind `backend` (the registered 'cpu' backend); throws if it is not the known one. */
export function cpuTensorAccess(backend: KernelBackend): CpuTensorAccess {
  checkTfjsVersion();
  const b = backend as Partial<CpuBackendInternals>;
  if (typeof b.makeTensorInfo !== 'function' || typeof b.readSync !== 'function') {
    throw new UnsupportedTfjsError("the 'cpu' backend lacks makeTensorInfo / readSync of tfjs-backend-cpu 4.22");
  }
  const cpu = b as CpuBackendInternals;
  return {
    read: (t) => cpu.readSync(t.dataId) as Float32Array,
    make: (shape, values) => cpu.makeTensorInfo(shape, 'float32', values),
  };
}

/** One more reference to a tensor's data (cpu and wasm count references per data id). */
export function incRef(backend: KernelBackend, dataId: DataId): void {
  const b = backend as KernelBackend & { incRef?(id: DataId): void };
  if (typeof b.incRef !== 'function') throw new UnsupportedTfjsError('the backend has no incRef (tfjs-core 4.22 backends count references)');
  b.incRef(dataId);
}

/** tfjs-core 4.22's engine state: whether a gradient is being recorded, and its tape. */
interface TapeState {
  gradientDepth: number;
  kernelDepth: number;
  activeTape: { id: number; kernelName: string; inputs: object; outputs: Tensor[]; saved: Tensor[] }[] | null;
  nextTapeNodeId: number;
}

/**
 * The gradient tape being recorded at the top level of a kernel call, or null (no gradient recorded, or inside
 * another kernel). `addSaved` puts a node without inputs or outputs on it: backprop skips it, and the tape's
 * cleanup disposes its `saved` tensors after the backward pass.
 */
export function recordingTape(): { addSaved(name: string, saved: Tensor[]): void } | null {
  checkTfjsVersion();
  const state = (tf.engine() as unknown as { state: Partial<TapeState> }).state;
  if (typeof state.gradientDepth !== 'number' || typeof state.kernelDepth !== 'number' || typeof state.nextTapeNodeId !== 'number') {
    throw new UnsupportedTfjsError("tfjs-core's engine state lacks gradientDepth / kernelDepth / nextTapeNodeId of tfjs-core 4.22");
  }
  const tape = state.activeTape;
  if (!(state.gradientDepth > 0 && state.kernelDepth === 0) || !tape) return null;
  return {
    addSaved: (kernelName, saved) => {
      tape.push({ id: (state.nextTapeNodeId as number)++, kernelName, inputs: {}, outputs: [], saved });
    },
  };
}
