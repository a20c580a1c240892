import * as tf from '@tensorflow/tfjs';
import { CheckpointError } from '../errors';

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

/**
 * Assigns saved values to variables by name after checking that every name is present with its shape.
 * @throws CheckpointError naming the first missing, extra or misshapen entry.
 */
export function assignVariables(vars: Record<string, tf.Variable>, saved: Record<string, tf.Tensor>, label: string): void {
  const hint = 'the weights do not belong to this configuration: load the folder with the config and decoder it was saved with';
  for (const [name, v] of Object.entries(vars)) {
    const t = saved[name];
    if (!t) throw new CheckpointError(`${label}: weight '${name}' is missing`, hint);
    if (t.shape.length !== v.shape.length || t.shape.some((d, i) => d !== v.shape[i])) {
      throw new CheckpointError(`${label}: weight '${name}' has shape [${t.shape}], the model needs [${v.shape}]`, hint);
    }
  }
  const extra = Object.keys(saved).filter((k) => !(k in vars));
  if (extra.length) throw new CheckpointError(`${label}: unexpected weight(s) ${extra.slice(0, 5).join(', ')}`, hint);
  for (const [name, v] of Object.entries(vars)) v.assign(saved[name]);
}
