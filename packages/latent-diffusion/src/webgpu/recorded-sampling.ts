// A whole sampling run of the DiT on webgpu as one command buffer (like a CUDA graph): every step's fused forward
// (dit-kernels.ts) and solver update (solver-update-kernel.ts), with pipelines compiled once per device and bind groups
// made once per run. Step by step through tfjs, each kernel costs the host a tfjs engine call, a uniform buffer, a bind
// group and its share of the submits (about 0.3 ms a kernel on the H100 machine): this host cost, not the GPU's
// arithmetic, was the sampling time. Recorded, a kernel costs three encoder calls and the run one submit.
import * as tf from '@tensorflow/tfjs-core';
import type { SamplingLoop } from '../samplers/types';
import { BUFFER_USAGE, bufferOf, emptyTensor, flushBackend, type GpuBuffer, webgpuDevice } from './backend-interop';
import { attentionKernel, type KernelSource, linearKernel, type LinearShape } from './dit-kernels';
import { type CompiledKernel, compileKernel, STEP_PARAMS_FLOATS, STEP_PARAMS_STRIDE } from './recorded-program';
import { solverUpdateKernel } from './solver-update-kernel';

type Dense = { kernel: tf.Tensor; bias: tf.Tensor };

/** What the recorded run needs of the DiT (no cross-attention): sizes and weights. */
export interface RecordedDiT {
  tokens: number;
  channels: number;
  width: number;
  heads: number;
  inProj: Dense;
  posEmbed: tf.Tensor;
  blocks: { qkv: Dense; attnOut: Dense; fc1: Dense; fc2: Dense }[];
  outProj: Dense;
}

/** One dispatch: a compiled kernel and the buffers bound to its inputs and outputs, by name. */
interface Dispatch {
  kernel: CompiledKernel;
  buffers: Record<string, GpuBuffer>;
}

const PER_BLOCK = 6; // modulation vectors a block: shift, 1 + scale, gate for attention, then for the MLP

/**
 * Runs `loop` (every step of the plan) and returns the final x. `modulation` is the plan's [steps, vectors, samples,
 * 1, width], samples = conditions x batch; with two conditions the prediction is the guided one.
 */
export function runRecordedSampling(dit: RecordedDiT, modulation: tf.Tensor, conditions: number, loop: SamplingLoop): tf.Tensor {
  const device = webgpuDevice();
  const { tokens, channels, width, heads } = dit;
  const [steps, vectors, samples] = modulation.shape as number[];
  const batch = loop.start.shape[0];
  const rows = samples * tokens; // activation rows: every branch's tokens
  const latentSize = batch * tokens * channels;
  const stochastic = loop.steps.some((s) => s.update.noise !== 0);
  const guided = conditions === 2;

  // scratch buffers of the run; WebGPU frees them once the submitted work that uses them is done
  const scratch: GpuBuffer[] = [];
  const buffer = (floats: number, usage: number = BUFFER_USAGE.STORAGE) => {
    const b = device.createBuffer({ size: Math.max(4, floats) * 4, usage: usage | BUFFER_USAGE.COPY_DST });
    scratch.push(b);
    return b;
  };
  const [residualA, residualB] = [buffer(rows * width), buffer(rows * width)];
  const qkv = buffer(rows * 3 * width);
  const attended = buffer(rows * width);
  const hidden = buffer(rows * Math.max(width, ...dit.blocks.map((b) => b.fc1.kernel.shape[1] as number)));
  const prediction = buffer(latentSize);
  const previous = buffer(latentSize);
  const params = buffer((steps * STEP_PARAMS_STRIDE) / 4, BUFFER_USAGE.UNIFORM);
  const noise = stochastic ? buffer(steps * latentSize) : null;
  const out = emptyTensor(loop.start.shape);
  const latent = out.buffer;

  const stride = vectors * samples * width;
  const [mod, start] = [bufferOf(modulation), bufferOf(loop.start)];
  const base: Omit<LinearShape, 'inDim' | 'outDim'> = {
    tokens,
    xRows: rows,
    repeat: 1,
    guided: false,
    guidanceScale: 1,
    shift: -1,
    scale: -1,
    gate: -1,
    silu: false,
    positional: false,
    samples,
  };
  const weights = (d: Dense) => ({ w: bufferOf(d.kernel), bias: bufferOf(d.bias) });
  const linear = (d: Dense, shape: Partial<LinearShape>, buffers: Record<string, GpuBuffer>): Dispatch => {
    const [inDim, outDim] = d.kernel.shape;
    const source: KernelSource = linearKernel({ ...base, inDim, outDim, ...shape });
    return { kernel: compileKernel(device, source, stride), buffers: { ...weights(d), modulation: mod, ...buffers } };
  };

  const dispatches: Dispatch[] = [
    linear(
      dit.inProj,
      { xRows: batch * tokens, repeat: conditions, positional: true, samples: 0 },
      { x: latent, pos: bufferOf(dit.posEmbed), result: residualA },
    ),
  ];
  dit.blocks.forEach((b, i) => {
    const v = i * PER_BLOCK;
    dispatches.push(
      linear(b.qkv, { shift: v, scale: v + 1 }, { x: residualA, result: qkv }),
      { kernel: compileKernel(device, attentionKernel(rows, tokens, heads, width)), buffers: { qkv, result: attended } },
      linear(b.attnOut, { gate: v + 2 }, { x: attended, res: residualA, result: residualB }),
      linear(b.fc1, { shift: v + 3, scale: v + 4, silu: true }, { x: residualB, result: hidden }),
      linear(b.fc2, { gate: v + 5 }, { x: hidden, res: residualB, result: residualA }),
    );
  });
  const f = dit.blocks.length * PER_BLOCK;
  dispatches.push(linear(dit.outProj, { shift: f, scale: f + 1, guided, guidanceScale: loop.guidanceScale }, { x: residualA, result: prediction }), {
    kernel: compileKernel(device, solverUpdateKernel(latentSize, stochastic, loop.clipX0)),
    buffers: { prediction, noise: noise!, latent, previous },
  });
  const bound = dispatches.map(({ kernel, buffers }) => {
    const names = [...kernel.source.inputs, ...kernel.source.outputs];
    const entries: object[] = names.map((name, binding) => ({ binding, resource: { buffer: buffers[name] } }));
    entries.push({ binding: names.length, resource: { buffer: params, size: STEP_PARAMS_FLOATS * 4 } });
    return { kernel, group: device.createBindGroup({ layout: kernel.layout, entries }) };
  });

  // the steps' parameters, STEP_PARAMS_STRIDE bytes apart, and their noise, all written once
  const table = new ArrayBuffer(steps * STEP_PARAMS_STRIDE);
  loop.steps.forEach((s, i) => {
    const at = (i * STEP_PARAMS_STRIDE) / 4;
    new Uint32Array(table, at * 4, 1)[0] = i;
    new Float32Array(table, (at + 1) * 4, 6).set([s.x0FromXt, s.x0FromOutput, s.update.xt, s.update.x0, s.update.prevX0, s.update.noise]);
  });
  device.queue.writeBuffer(params, 0, new Uint8Array(table));
  if (noise) {
    const draws = new Float32Array(steps * latentSize);
    loop.steps.forEach((s, i) => s.update.noise !== 0 && draws.set(loop.noise(), i * latentSize));
    device.queue.writeBuffer(noise, 0, draws);
  }

  flushBackend(); // x_T, the modulation and any upload tfjs has pending come first on the queue
  const encoder = device.createCommandEncoder();
  encoder.copyBufferToBuffer(start, 0, latent, 0, latentSize * 4);
  const pass = encoder.beginComputePass();
  for (let step = 0; step < steps; step++) {
    for (const { kernel, group } of bound) {
      pass.setPipeline(kernel.pipeline);
      pass.setBindGroup(0, group, [step * STEP_PARAMS_STRIDE]);
      pass.dispatchWorkgroups(kernel.source.workgroups);
    }
  }
  pass.end();
  device.queue.submit([encoder.finish()]);
  for (const b of scratch) b.destroy();
  return out.tensor;
}

/** Whether the recorded run can take a loop of this size (one-dimensional launches only). */
export function recordedSamplingFits(rows: number): boolean {
  return rows <= webgpuDevice().limits.maxComputeWorkgroupsPerDimension;
}
