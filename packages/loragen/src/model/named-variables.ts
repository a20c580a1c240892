import * as tf from '@tensorflow/tfjs';

/** `vars` renamed under `prefix/` (tensors are the variables themselves, not copies). */
export function prefixed(prefix: string, vars: Record<string, tf.Tensor>): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  for (const [k, v] of Object.entries(vars)) out[`${prefix}/${k}`] = v;
  return out;
}

/** The entries of `tensors` under `prefix/`, with the prefix removed. */
export function unprefixed(prefix: string, tensors: Record<string, tf.Tensor>): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  for (const [k, v] of Object.entries(tensors)) if (k.startsWith(`${prefix}/`)) out[k.slice(prefix.length + 1)] = v;
  return out;
}
