// What a recorded sampling run needs of tfjs-backend-webgpu 4.22 beyond its public API: the GPUDevice, the GPUBuffer
// behind a tensor, a tensor over a buffer the run writes, and a flush of the commands tfjs has recorded but not yet
// submitted (so that the run's own submit comes after them on the queue). Typed structurally, with only the members
// used: the package depends on no WebGPU typings and no backend.
import * as tf from '@tensorflow/tfjs-core';
import type { DataType, TensorInfo } from '@tensorflow/tfjs-core';

/** A GPUBuffer, as far as the recorded run uses one. */
export interface GpuBuffer {
  readonly size: number;
  destroy(): void;
}

export interface GpuComputePass {
  setPipeline(pipeline: unknown): void;
  setBindGroup(index: number, group: unknown, dynamicOffsets?: number[]): void;
  dispatchWorkgroups(x: number, y?: number, z?: number): void;
  end(): void;
}

export interface GpuCommandEncoder {
  beginComputePass(descriptor?: object): GpuComputePass;
  copyBufferToBuffer(source: GpuBuffer, sourceOffset: number, destination: GpuBuffer, destinationOffset: number, size: number): void;
  finish(): unknown;
}

export interface GpuDevice {
  readonly queue: { submit(buffers: unknown[]): void; writeBuffer(buffer: GpuBuffer, offset: number, data: ArrayBufferView): void };
  readonly limits: { maxComputeWorkgroupsPerDimension: number };
  createBuffer(descriptor: { size: number; usage: number }): GpuBuffer;
  createShaderModule(descriptor: { code: string }): unknown;
  createBindGroupLayout(descriptor: { entries: object[] }): unknown;
  createPipelineLayout(descriptor: { bindGroupLayouts: unknown[] }): unknown;
  createComputePipeline(descriptor: { layout: unknown; compute: { module: unknown; entryPoint: string } }): unknown;
  createBindGroup(descriptor: { layout: unknown; entries: object[] }): unknown;
  createCommandEncoder(): GpuCommandEncoder;
}

interface WebGpuBackendInternals {
  device: GpuDevice;
  tensorMap: { get(dataId: object): { resource?: unknown } };
  commandEncoder: GpuCommandEncoder | null;
  uploadToGPU(dataId: object): void;
  makeTensorInfo(shape: number[], dtype: DataType): TensorInfo;
  endComputePassEncoder(): void;
  submitQueue(): void;
}

/** WebGPU's usage flags (the spec's constants; `GPUBufferUsage` / `GPUShaderStage` are globals only where WebGPU is). */
export const BUFFER_USAGE = { COPY_SRC: 0x4, COPY_DST: 0x8, UNIFORM: 0x40, STORAGE: 0x80 } as const;
export const SHADER_STAGE_COMPUTE = 0x4;

/** The active webgpu backend's internals (call only while tfjs's backend is `webgpu`). */
function backend(): WebGpuBackendInternals {
  return tf.backend() as unknown as WebGpuBackendInternals;
}

export function webgpuDevice(): GpuDevice {
  return backend().device;
}

/** The GPUBuffer holding a float32 tensor's values, uploaded first if they are still on the CPU. */
export function bufferOf(t: tf.Tensor): GpuBuffer {
  const b = backend();
  b.uploadToGPU(t.dataId);
  return b.tensorMap.get(t.dataId).resource as GpuBuffer;
}

/** A new float32 tensor with its GPUBuffer allocated (contents undefined): the caller's commands fill it. */
export function emptyTensor(shape: number[]): { tensor: tf.Tensor; buffer: GpuBuffer } {
  const b = backend();
  const info = b.makeTensorInfo(shape, 'float32');
  b.uploadToGPU(info.dataId);
  const tensor = tf.engine().makeTensorFromTensorInfo(info);
  return { tensor, buffer: b.tensorMap.get(info.dataId).resource as GpuBuffer };
}

/** Submits what tfjs has recorded so far, so that work submitted next on the device's queue sees its results. */
export function flushBackend(): void {
  const b = backend();
  if (!b.commandEncoder) return;
  b.endComputePassEncoder();
  b.submitQueue();
}
