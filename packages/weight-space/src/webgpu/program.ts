import type { DataType, TensorInfo } from '@tensorflow/tfjs-core';

/** The part of the webgpu backend the kernels use. */
export interface WebGpuBackendLike {
  runWebGPUProgram(program: WebGpuProgram, inputs: TensorInfo[], dtype: DataType): TensorInfo;
  disposeData(dataId: object): void;
  device: { limits: { maxComputeWorkgroupStorageSize: number; maxComputeWorkgroupsPerDimension: number } };
}

/**
 * A program as tfjs-backend-webgpu 4.22 takes it (its `WebGPUProgram`, not exported by name): WGSL user `code` that
 * defines `fn main(index : i32)`, the `inputs`' names (bound read-only, as `array<f32>`), the output's shape (bound as
 * `result`), and the dispatch: one workgroup of `workgroupSize` threads per item (`workgroups` of them). `main` gets
 * the flat global index; the per-workgroup programs read `workgroupId` and `localId` (set by the backend's entry
 * point). The backend compiles it once per `shaderKey` and shape, and records it into its current compute pass like
 * its own kernels.
 */
export function program(
  name: string,
  key: string,
  inputs: string[],
  outputShape: number[],
  code: string,
  layout: { workgroups: number; workgroupSize: number },
) {
  const dispatch: [number, number, number] = [layout.workgroups, 1, 1];
  const workgroupSize: [number, number, number] = [layout.workgroupSize, 1, 1];
  return {
    variableNames: inputs,
    outputShape,
    shaderKey: `${name}_${key}`,
    dispatchLayout: { x: outputShape.map((_, i) => i) },
    dispatch,
    workgroupSize,
    getUserCode: () => code,
  };
}

/** A program for tfjs-backend-webgpu, as {@link program} builds it. */
export type WebGpuProgram = ReturnType<typeof program>;

/** A flat program with one thread per output element (64 a workgroup): `body` computes element `idx` of `result`. */
export function elementwise(name: string, key: string, inputs: string[], outputShape: number[], body: string): WebGpuProgram {
  const size = outputShape.reduce((a, b) => a * b, 1);
  // threads of the last workgroup past the output do nothing
  const code = `
fn main(index : i32) {
  _ = uniforms.NAN;
  let idx = u32(index);
  if (idx < ${size}u) {
${body}
  }
}`;
  // the size is baked into the code, so it is part of the key (tfjs keys programs by input ranks, not sizes)
  return program(name, `${key}_${size}`, inputs, outputShape, code, { workgroups: Math.ceil(size / 64), workgroupSize: 64 });
}
