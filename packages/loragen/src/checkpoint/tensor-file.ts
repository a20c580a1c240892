import * as tf from '@tensorflow/tfjs';
import { parseSafetensors, serializeSafetensors, tensorToFloat32, SafetensorsError } from '@loragen/lora-io';
import { CheckpointError } from '../errors';
import { describeNonFinite, findNonFinite } from '../data/finite';

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
 * @throws CheckpointError when the bytes are not a valid safetensors file, or a float tensor holds NaN or Infinity
 *   (named, with where).
 */
export function decodeTensorFile(bytes: Uint8Array, label: string): Record<string, tf.Tensor> {
  let file: ReturnType<typeof parseSafetensors>;
  try {
    file = parseSafetensors(bytes);
  } catch (err) {
    if (err instanceof SafetensorsError) {
      throw new CheckpointError(
        `${label} is not a valid safetensors file: ${err.reason}`,
        'the checkpoint is corrupt; re-save or re-train the model',
      );
    }
    throw err;
  }
  const values = new Map<string, Float32Array | Int32Array>();
  for (const [name, t] of file.tensors) {
    if (t.dtype === 'I32') {
      values.set(name, new Int32Array(t.data.slice().buffer));
      continue;
    }
    const floats = tensorToFloat32(t, { copy: true });
    const bad = findNonFinite(floats);
    if (bad) {
      throw new CheckpointError(
        `${label}: tensor '${name}' holds ${describeNonFinite(bad, t.shape)}`,
        'the weights are damaged or the training that wrote them diverged: retrain, or resume from an earlier checkpoint',
      );
    }
    values.set(name, floats);
  }
  const out: Record<string, tf.Tensor> = {};
  for (const [name, data] of values) out[name] = tf.tensor(data, file.tensors.get(name)!.shape, data instanceof Int32Array ? 'int32' : 'float32');
  return out;
}
