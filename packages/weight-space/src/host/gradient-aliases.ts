import * as tf from '@tensorflow/tfjs-core';
import type { KernelBackend, Tensor, TensorInfo } from '@tensorflow/tfjs-core';
import { incRef, recordingTape } from './tfjs-internals';

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
  incRef(backend, x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/** Aliases of `tensors` for the gradient being recorded (see above), or null when none is being recorded. */
export function aliasesForGradient(tensors: Tensor[]): Tensor[] | null {
  const tape = recordingTape();
  if (!tape) return null;
  const aliases = tensors.map((x) => tf.keep(tf.engine().runKernel(ALIAS_KERNEL, { x }) as Tensor));
  tape.addSaved(ALIAS_KERNEL, aliases);
  return aliases;
}
