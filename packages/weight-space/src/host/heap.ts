import type { KernelBackend, TensorInfo } from '@tensorflow/tfjs-core';
import type { SimdKernels } from '../simd/kernel-abi';
import { simdKernelsFor, wasmSimdSupported } from '../simd/simd-instance';
import { BumpAllocator } from './bump-allocator';
import { type CpuTensorAccess, type WasmHeapAccess, cpuTensorAccess, wasmHeapAccess } from './tfjs-internals';

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
    private readonly wasm: WasmHeapAccess,
    kernels: SimdKernels,
  ) {
    super(wasm.memory, kernels);
  }
  input(t: TensorInfo): number {
    return this.wasm.addressOf(t);
  }
  scratch(bytes: number): number {
    const raw = this.wasm.malloc(bytes + 16);
    this.allocations.push(raw);
    const address = align(raw);
    new Uint8Array(this.memory.buffer, address, bytes).fill(0);
    return address;
  }
  output(shape: number[]): number {
    const { info, address } = this.wasm.makeOutput(shape);
    this.outputs.push(info);
    return address;
  }
  close(): TensorInfo[] {
    this.allocations.forEach((p) => this.wasm.free(p));
    return this.outputs;
  }
}

/** A private memory for tfjs-cpu, reused across calls (bump-allocated within a call). */
let cpuMemory: WebAssembly.Memory | undefined;

class CpuHeap extends MemoryHeap implements KernelHeap {
  private readonly allocator: BumpAllocator;
  private readonly outputs: { shape: number[]; address: number; size: number }[] = [];
  constructor(
    private readonly cpu: CpuTensorAccess,
    memory: WebAssembly.Memory,
    kernels: SimdKernels,
  ) {
    super(memory, kernels);
    this.allocator = new BumpAllocator(memory, 16);
  }
  input(t: TensorInfo): number {
    const values = this.cpu.read(t);
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
    return this.outputs.map((out) => this.cpu.make(out.shape, f32.slice(out.address / 4, out.address / 4 + out.size)));
  }
}

/**
 * A heap for `backend` (tfjs-wasm or tfjs-cpu), or null on other backends and where WebAssembly SIMD is missing.
 * Throws an UnsupportedTfjsError where tfjs is not the version whose internals tfjs-internals.ts knows, and a
 * KernelModuleError where the kernel module fails to compile or instantiate.
 */
export function openHeap(backend: KernelBackend, backendName: string): KernelHeap | null {
  if (backendName !== 'wasm' && backendName !== 'cpu') return null;
  if (!wasmSimdSupported()) return null;
  if (backendName === 'wasm') {
    const wasm = wasmHeapAccess(backend);
    return new WasmHeap(wasm, simdKernelsFor(wasm.memory) as SimdKernels);
  }
  const cpu = cpuTensorAccess(backend);
  cpuMemory ??= new WebAssembly.Memory({ initial: 16 });
  return new CpuHeap(cpu, cpuMemory, simdKernelsFor(cpuMemory) as SimdKernels);
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
