import * as tf from '@tensorflow/tfjs';
import type { Factors, Mat } from './reference';

export const toTensor = (m: Mat): tf.Tensor2D => tf.tensor2d(m);
export const toFactors = (f: Factors) => ({ A: toTensor(f.A), B: toTensor(f.B) });
export const flat = (m: Mat): number[] => m.flat();
export const disposeFactors = (f: { A: tf.Tensor; B: tf.Tensor }) => tf.dispose([f.A, f.B]);

/** Value and gradients of `loss` w.r.t. A and B, read back as plain arrays. */
export async function valueAndGrads(
  loss: (f: { A: tf.Tensor; B: tf.Tensor }) => tf.Tensor,
  at: Factors,
): Promise<{ value: number; gradA: number[]; gradB: number[] }> {
  const x = toFactors(at);
  const { value, grads } = tf.valueAndGrads((a: tf.Tensor, b: tf.Tensor) => loss({ A: a, B: b }))([x.A, x.B]);
  const out = {
    value: (await value.data())[0],
    gradA: Array.from(await grads[0].data()),
    gradB: Array.from(await grads[1].data()),
  };
  tf.dispose([value, ...grads]);
  disposeFactors(x);
  return out;
}

/** The tolerance the issue sets for gradients: 1e-3 relative, floored at 1e-3 of the largest entry. */
export const gradientTolerance = (expected: number[]) => ({
  rtol: 1e-3,
  atol: 1e-3 * Math.max(...expected.map(Math.abs)),
});
