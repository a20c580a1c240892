import * as tf from '@tensorflow/tfjs';
import { parseSafetensors, serializeSafetensors, tensorToFloat32, SafetensorsError } from '@loragen/lora-io';
import { CheckpointError } from '../errors';

/** Named tensors -> safetensors bytes (float32 as F32, int32 as I32), written with lora-io's serializer. */
export async function encodeTensorFile(tensors: Record<string, tf.Tensor>): Promise<Uint8Array> {
  const entries: Record<string, { dtype: 'F32' | 'I32'; shape: number[]; data: Float32Array | Int32Array }> = {};
  for (const [name, t] of Object.entries(tensors)) {
    const data = await t.data();
    if (t.dtype === 'float32') entries[name] = { dtype: 'F32', shape: t.shape, data: data as Float32Array };
    else if (t.dtype === 'int32') entries[name] = { dtype: 'I32', shape: t.shape, data: data as Int32Array };
    else throw new CheckpointError(`cannot store tensor '${name}' of dtype ${t.dtype}`, 'checkpoints hold float32 and int32 tensors only');
  }
  return serializeSafetensors(entries);
}

/**
 * Safetensors bytes -> named tensors (the caller disposes them).
 * @throws CheckpointError when the bytes are not a valid safetensors file.
 */
export function decodeTensorFile(bytes: Uint8Array, label: string): Record<string, tf.Tensor> {
  let file: ReturnType<typeof parseSafetensors>;
  try {
    file = parseSafetensors(bytes);
  } catch (err) {
    if (err instanceof SafetensorsError) {
      throw new CheckpointError(`${label} is not a valid safetensors file: ${err.message}`, 'the checkpoint is corrupt; re-save or re-train the model');
    }
    throw err;
  }
  const out: Record<string, tf.Tensor> = {};
  for (const [name, t] of file.tensors) {
    if (t.dtype === 'I32') {
      out[name] = tf.tensor(new Int32Array(t.data.slice().buffer), t.shape, 'int32');
    } else {
      out[name] = tf.tensor(tensorToFloat32(t, { copy: true }), t.shape, 'float32');
    }
  }
  return out;
}
