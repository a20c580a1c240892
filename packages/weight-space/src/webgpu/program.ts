import type { DataType, TensorInfo } from '@tensorflow/tfjs-core';

/**
 * What tfjs-backend-webgpu 4.22 takes as a program (its `WebGPUProgram`, not exported by name): WGSL user code that
 * defines `fn main(index : i32)`, the inputs' names (bound read-only, as `array<f32>`), the output's shape (bound as
 * `result`), and the dispatch. The backend compiles it once per `shaderKey` and shape, and records it into its
 * current compute pass like its own kernels.
 */
export interface WebGpuProgram {
  variableNames: string[];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  getUserCode(): string;
}

/** The part of the webgpu backend the kernels use. */
export interface WebGpuBackendLike {
  runWebGPUProgram(program: WebGpuProgram, inputs: TensorInfo[], dtype: DataType): TensorInfo;
  disposeData(dataId: object): void;
  device: { limits: { maxComputeWorkgroupStorageSize: number; maxComputeWorkgroupsPerDimension: number } };
}

/**
 * A program with one workgroup of `workgroupSize` threads per item (`items` of them), or, with `perThread`, one
 * thread per output element. `main` gets the flat global index; the per-workgroup programs read `workgroupId` and
 * `localId` (set by the backend's entry point).
 */
export function program(
  name: string,
  key: string,
  inputs: string[],
  outputShape: number[],
  code: string,
  layout: { workgroups: number; workgroupSize: number },
): WebGpuProgram {
  return {
    variableNames: inputs,
    outputShape,
    shaderKey: `${name}_${key}`,
    dispatchLayout: { x: outputShape.map((_, i) => i) },
    dispatch: [layout.workgroups, 1, 1],
    workgroupSize: [layout.workgroupSize, 1, 1],
    getUserCode: () => code,
  };
}

/** A flat program with one thread per output element (64 a workgroup). */
export function elementwise(name: string, key: string, inputs: string[], outputShape: number[], body: string): WebGpuProgram {
  const size = outputShape.reduce((a, b) => a * b, 1);
  const code = `
fn main(index : i32) {
  _ = uniforms.NAN;
  if (index >= ${size}) { return; }
  let idx = u32(index);
${body}
}`;
  // the size is baked into the code, so it is part of the key (tfjs keys programs by input ranks, not sizes)
  return program(name, `${key}_${size}`, inputs, outputShape, code, { workgroups: Math.ceil(size / 64), workgroupSize: 64 });
}
