import type { Tensor } from '@tensorflow/tfjs-core';
import { WeightSpaceError } from './errors';
import type { LowRankFactors } from './types';

/** Shape facts of a factor pair: leading position dims, rank, dOut, dIn. */
export interface FactorShape {
  batch: number[];
  rank: number;
  dOut: number;
  dIn: number;
}

/** Checks that `A` [..., r, dIn] and `B` [..., dOut, r] fit together; `name` says which argument it was. */
export function factorShape(factors: LowRankFactors, name: string): FactorShape {
  const { A, B } = factors ?? ({} as LowRankFactors);
  if (!A || !B || !Array.isArray(A.shape) || !Array.isArray(B.shape)) {
    throw new WeightSpaceError(`${name} must be { A, B } with tensors A [..., r, dIn] and B [..., dOut, r]`);
  }
  if (A.rank < 2 || A.rank !== B.rank) {
    throw new WeightSpaceError(`${name}: A [${A.shape}] and B [${B.shape}] must have the same rank >= 2 (A [..., r, dIn], B [..., dOut, r])`);
  }
  const batch = A.shape.slice(0, -2);
  const rank = A.shape[A.rank - 2];
  if (B.shape.slice(0, -2).join() !== batch.join() || B.shape[B.rank - 1] !== rank) {
    throw new WeightSpaceError(
      `${name}: B [${B.shape}] does not match A [${A.shape}]; expected B [${[...batch, 'dOut', rank]}] (PEFT layout: A is [r, dIn], B is [dOut, r])`,
    );
  }
  if (A.dtype !== 'float32' || B.dtype !== 'float32') {
    throw new WeightSpaceError(`${name}: A and B must be float32 (got ${A.dtype}, ${B.dtype}); cast them with tf.cast`);
  }
  return { batch, rank, dOut: B.shape[B.rank - 2], dIn: A.shape[A.rank - 1] };
}

/** Checks that prediction and target describe the same positions and the same dOut x dIn matrices. */
export function matchingShapes(pred: FactorShape, target: FactorShape): void {
  if (pred.batch.join() !== target.batch.join() || pred.dOut !== target.dOut || pred.dIn !== target.dIn) {
    throw new WeightSpaceError(
      `prediction (positions [${pred.batch}], ${pred.dOut} x ${pred.dIn}) and target (positions [${target.batch}], ` +
        `${target.dOut} x ${target.dIn}) must have the same positions and dW shape; ranks may differ`,
    );
  }
}

/** Checks that two dense updates [..., dOut, dIn] have the same shape. */
export function denseShapes(pred: Tensor, target: Tensor): void {
  if (pred.rank < 2 || pred.shape.join() !== target.shape.join()) {
    throw new WeightSpaceError(`dense prediction [${pred.shape}] and target [${target.shape}] must have the same shape [..., dOut, dIn]`);
  }
}
