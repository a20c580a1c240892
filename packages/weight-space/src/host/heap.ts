import type { DataId, KernelBackend, TensorInfo } from '@tensorflow/tfjs-core';
import type { SimdKernels } from '../simd/kernels';
import { simdKernelsFor } from '../simd/simd-instance';
import { BumpAllocator } from './bump-allocator';

/**
 * Where a host kernel's operands live for the duration of one call: byte addresses in one WebAssembly memory that
 * the SIMD kernels run on. On tfjs-wasm that is the backend's own heap (inputs are read in place, outputs are made
 * there, no copies); on tfjs-cpu it is a private memory that inputs are copied into and outputs out of.
 */
export interface KernelHeap {
  kernels: SimdKernels;
  /** Fresh views (the memory may have grown since the last call). */
  f32(): Float32Array;
  f64(): Float64Array;
  /** Byte address of a float32 input's data. */
  input(t: TensorInfo): number;
  /** Byte address of `bytes` of zeroed scratch, 16-byte aligned; valid until {@link KernelHeap.close}. */
  scratch(bytes: number): number;
  /** Byte address to write a float32 output of `shape` at (outputs are returned by close(), in this order). */
  output(shape: number[]): number;
  /** Frees the scratch and returns the outputs. */
  close(): TensorInfo[];
}

const align = (n: number) => (n + 15) & ~15;

/** tfjs-wasm's internals this relies on (tfjs 4.x): its emscripten module and per-tensor memory offsets. */
interface WasmBackendLike extends KernelBackend {
  wasm: { asm?: { memory?: WebAssembly.Memory }; _malloc(bytes: number): number; _free(ptr: number): void };
  dataIdMap: { get(id: DataId): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
}

interface CpuBackendLike extends KernelBackend {
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo;
}

function isWasmBackend(backend: KernelBackend): backend is WasmBackendLike {
  const b = backend as Partial<WasmBackendLike>;
  return !!b.wasm?.asm?.memory && typeof b.wasm._malloc === 'function' && typeof b.makeOutput === 'function' && !!b.dataIdMap;
}

/** What both heaps share: the memory the kernels run on and fresh views of it. */
abstract class MemoryHeap {
  constructor(
    protected readonly memory: WebAssembly.Memory,
    readonly kernels: SimdKernels,
  ) {}
  f32 = () => new Float32Array(this.memory.buffer);
  f64 = () => new Float64Array(this.memory.buffer);
}

class WasmHeap extends MemoryHeap implements KernelHeap {
  private readonly allocations: number[] = [];
  private readonly outputs: TensorInfo[] = [];
  constructor(
    private readonly backend: WasmBackendLike,
    memory: WebAssembly.Memory,
    kernels: SimdKernels,
  ) {
    super(memory, kernels);
  }
  input(t: TensorInfo): number {
    return (this.backend.dataIdMap.get(t.dataId) as { memoryOffset: number }).memoryOffset;
  }
  scratch(bytes: number): number {
    const raw = this.backend.wasm._malloc(bytes + 16);
    this.allocations.push(raw);
    const address = align(raw);
    new Uint8Array(this.memory.buffer, address, bytes).fill(0);
    return address;
  }
  output(shape: number[]): number {
    const info = this.backend.makeOutput(shape, 'float32');
    this.outputs.push(info);
    return this.input(info);
  }
  close(): TensorInfo[] {
    this.allocations.forEach((p) => this.backend.wasm._free(p));
    return this.outputs;
  }
}

/** A private memory for tfjs-cpu, reused across calls (bump-allocated within a call). */
let cpuMemory: WebAssembly.Memory | undefined;

class CpuHeap extends MemoryHeap implements KernelHeap {
  private readonly allocator: BumpAllocator;
  private readonly outputs: { shape: number[]; address: number; size: number }[] = [];
  constructor(
    private readonly backend: CpuBackendLike,
    memory: WebAssembly.Memory,
    kernels: SimdKernels,
  ) {
    super(memory, kernels);
    this.allocator = new BumpAllocator(memory, 16);
  }
  input(t: TensorInfo): number {
    const values = this.backend.readSync(t.dataId) as Float32Array;
    const address = this.allocator.reserve(values.byteLength);
    this.f32().set(values, address / 4);
    return address;
  }
  scratch(bytes: number): number {
    const address = this.allocator.reserve(bytes);
    new Uint8Array(this.memory.buffer, address, bytes).fill(0);
    return address;
  }
  output(shape: number[]): number {
    const size = shape.reduce((a, b) => a * b, 1);
    const address = this.allocator.reserve(size * 4);
    this.outputs.push({ shape, address, size });
    return address;
  }
  close(): TensorInfo[] {
    const f32 = this.f32();
    return this.outputs.map((out) =>
      this.backend.makeTensorInfo(out.shape, 'float32', f32.slice(out.address / 4, out.address / 4 + out.size)),
    );
  }
}

/** A heap for `backend` (tfjs-wasm or tfjs-cpu), or null where the SIMD kernels cannot run there. */
export function openHeap(backend: KernelBackend, backendName: string): KernelHeap | null {
  if (backendName === 'wasm' && isWasmBackend(backend)) {
    const memory = backend.wasm.asm?.memory as WebAssembly.Memory;
    const kernels = simdKernelsFor(memory);
    return kernels ? new WasmHeap(backend, memory, kernels) : null;
  }
  if (backendName === 'cpu' && typeof (backend as Partial<CpuBackendLike>).makeTensorInfo === 'function') {
    cpuMemory ??= new WebAssembly.Memory({ initial: 16 });
    const kernels = simdKernelsFor(cpuMemory);
    return kernels ? new CpuHeap(backend as CpuBackendLike, cpuMemory, kernels) : null;
  }
  return null;
}

/** Runs `work` on a heap for `backend` and returns its outputs; when `work` throws, scratch and outputs are released. */
export function runOnHeap(backend: KernelBackend, backendName: string, work: (heap: KernelHeap) => void): TensorInfo[] {
  const heap = openHeap(backend, backendName);
  if (!heap) throw new Error(`@loragen/weight-space: no SIMD kernels on backend '${backendName}'`);
  try {
    work(heap);
  } catch (error) {
    heap.close().forEach((out) => backend.disposeData(out.dataId));
    throw error;
  }
  return heap.close();
}
