import * as tf from '@tensorflow/tfjs-core';
import type { KernelBackend, Tensor, TensorInfo } from '@tensorflow/tfjs-core';

/**
 * tfjs saves what a gradient needs by copying it (`inputsToSave` go through its Identity kernel, a memcpy on
 * tfjs-wasm): for the host kernels that was four whole factors per call, about a tenth of a FLAN-T5-large step.
 * They hand their gradients zero-copy aliases of the factors instead (the same data, one more reference), kept out
 * of every tidy and released the way tfjs releases what it saves: by the tape's cleanup after the backward pass,
 * whether or not the kernel's gradient ran.
 */

/** A kernel returning its input's data under a second reference (cpu and wasm count references per data id). */
export const ALIAS_KERNEL = 'LoragenAlias';

export function aliasKernel({ inputs, backend }: { inputs: { x?: TensorInfo }; backend: KernelBackend }): TensorInfo {
  const x = inputs.x as TensorInfo;
  (backend as KernelBackend & { incRef(id: TensorInfo['dataId']): void }).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/** tfjs-core's engine state this relies on (4.x): whether a gradient is being recorded, and its tape. */
interface TapeState {
  gradientDepth: number;
  kernelDepth: number;
  activeTape: { id: number; kernelName: string; inputs: object; outputs: Tensor[]; saved: Tensor[] }[] | null;
  nextTapeNodeId: number;
}

/** Aliases of `tensors` for the gradient being recorded (see above), or null when none is being recorded. */
export function aliasesForGradient(tensors: Tensor[]): Tensor[] | null {
  const state = (tf.engine() as unknown as { state: TapeState }).state;
  if (!(state.gradientDepth > 0 && state.kernelDepth === 0) || !state.activeTape) return null;
  const aliases = tensors.map((x) => tf.keep(tf.engine().runKernel(ALIAS_KERNEL, { x }) as Tensor));
  // A node without inputs or outputs lies on no path, so backprop skips it; the tape's cleanup disposes its `saved`.
  state.activeTape.push({ id: state.nextTapeNodeId++, kernelName: ALIAS_KERNEL, inputs: {}, outputs: [], saved: aliases });
  return aliases;
}
