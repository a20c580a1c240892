// Cutting a flat per-row vector into PEFT-shaped factors: the first rank*dIn values are A (row-major
// [rank, dIn]), the next dOut*rank are B (row-major [dOut, rank]).
import * as tf from '@tensorflow/tfjs-core';
import type { FactorPair, ModuleSpec } from '../types';

/** Values one position of `spec` needs: rank * (dIn + dOut). */
export function factorSize(spec: ModuleSpec): number {
  return spec.rank * (spec.dIn + spec.dOut);
}

/** flat [batch * layers, >= factorSize(spec)] -> A [batch, layers, rank, dIn], B [batch, layers, dOut, rank]. */
export function splitFactors(flat: tf.Tensor2D, spec: ModuleSpec, batch: number, layers: number): FactorPair {
  const rows = flat.shape[0];
  const sizeA = spec.rank * spec.dIn;
  const A = tf.reshape(tf.slice(flat, [0, 0], [rows, sizeA]), [batch, layers, spec.rank, spec.dIn]) as tf.Tensor4D;
  const B = tf.reshape(tf.slice(flat, [0, sizeA], [rows, spec.dOut * spec.rank]), [batch, layers, spec.dOut, spec.rank]);
  return { A, B: B as tf.Tensor4D };
}

/** Rows [batch * layers, width] of one module type -> its factors. */
export type ModuleHead = (rows: tf.Tensor2D, batch: number, layers: number) => FactorPair;
