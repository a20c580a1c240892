// Kernel sources (dit-kernels.ts) as standalone compute pipelines, for commands recorded outside tfjs. Every kernel
// also sees the current step's parameters, `params`, read from one uniform buffer at a dynamic offset: a run's bind
// groups are made once and each step only moves the offset, so recording a step costs three calls a kernel.
import type { KernelSource } from './dit-kernels';
import { type GpuDevice, SHADER_STAGE_COMPUTE } from './backend-interop';

/** One step's parameters as the kernels see them (the update's coefficients: see `SamplingLoop`). */
export const STEP_PARAMS_WGSL = `struct StepParams {
  step : u32,
  x0FromXt : f32,
  x0FromOutput : f32,
  xt : f32,
  x0 : f32,
  prevX0 : f32,
  noise : f32,
}`;
export const STEP_PARAMS_FLOATS = 7;
/** Bytes between two steps' parameters: WebGPU's largest allowed minUniformBufferOffsetAlignment. */
export const STEP_PARAMS_STRIDE = 256;

export interface CompiledKernel {
  pipeline: unknown;
  layout: unknown;
  source: KernelSource;
}

function moduleCode(k: KernelSource, modulationStride: number): string {
  const storage = [...k.inputs.map((name) => ({ name, access: 'read' })), ...k.outputs.map((name) => ({ name, access: 'read_write' }))];
  const bindings = storage.map((b, i) => `@group(0) @binding(${i}) var<storage, ${b.access}> ${b.name} : array<f32>;`);
  return `${STEP_PARAMS_WGSL}
${bindings.join('\n')}
@group(0) @binding(${storage.length}) var<uniform> params : StepParams;
var<private> localId : vec3<u32>;
var<private> workgroupId : vec3<u32>;
var<private> numWorkgroups : vec3<u32>;
fn modulationBase() -> u32 { return params.step * ${modulationStride}u; }
${k.code}
@compute @workgroup_size(64)
fn main(@builtin(local_invocation_id) lid : vec3<u32>, @builtin(workgroup_id) wid : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>) {
  localId = lid;
  workgroupId = wid;
  numWorkgroups = nwg;
  kernel(i32((wid.x + wid.y * nwg.x) * 64u + lid.x));
}`;
}

// pipelines live as long as their device; a run of the same shapes compiles nothing
const cache = new WeakMap<GpuDevice, Map<string, CompiledKernel>>();

/** The pipeline of `k` on `device` (compiled once per device), with `modulation` holding steps `modulationStride` apart. */
export function compileKernel(device: GpuDevice, k: KernelSource, modulationStride = 0): CompiledKernel {
  const code = moduleCode(k, modulationStride);
  let byCode = cache.get(device);
  if (!byCode) cache.set(device, (byCode = new Map()));
  const hit = byCode.get(code);
  if (hit) return hit;
  const entries = [
    ...k.inputs.map(() => ({ type: 'read-only-storage' })),
    ...k.outputs.map(() => ({ type: 'storage' })),
    { type: 'uniform', hasDynamicOffset: true },
  ].map((buffer, binding) => ({ binding, visibility: SHADER_STAGE_COMPUTE, buffer }));
  const layout = device.createBindGroupLayout({ entries });
  const pipeline = device.createComputePipeline({
    layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }),
    compute: { module: device.createShaderModule({ code }), entryPoint: 'main' },
  });
  const compiled = { pipeline, layout, source: k };
  byCode.set(code, compiled);
  return compiled;
}
