// Conversions between the plain weight table (what files hold) and tfjs tensors / variables.
import * as tf from '@tensorflow/tfjs';
import type { ModelTensors } from './forward';
import type { WeightTable } from './parameters';

/** Constant tensors for every weight. Dispose with `disposeTensors`. */
export const tensorsOf = (table: WeightTable): ModelTensors =>
  new Map([...table].map(([name, w]) => [name, tf.tensor(w.values, w.shape, 'float32')]));

/** Trainable variables for every weight. */
export const variablesOf = (table: WeightTable): Map<string, tf.Variable> =>
  new Map([...table].map(([name, w]) => [name, tf.variable(tf.tensor(w.values, w.shape, 'float32'), true, `base/${name}`)]));

/** Reads tensors back into a weight table. */
export async function tableOf(tensors: Map<string, tf.Tensor>): Promise<WeightTable> {
  const table: WeightTable = new Map();
  for (const [name, t] of tensors) table.set(name, { shape: t.shape.slice(), values: (await t.data()) as Float32Array });
  return table;
}

export function disposeTensors(tensors: Map<string, tf.Tensor>): void {
  for (const t of tensors.values()) t.dispose();
}
