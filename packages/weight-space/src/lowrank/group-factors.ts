import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { WeightSpaceError } from '../errors';
import { unstackFirst } from '../host/registry';
import type { CustomGradientFunc } from '../linalg/custom-grad';
import type { LowRankFactors } from '../types';
import { factorShape } from '../validate';

function padLast2(x: Tensor, rows: number, cols: number): Tensor {
  const pad = x.shape.map((): [number, number] => [0, 0]);
  pad[pad.length - 2] = [0, rows - x.shape[x.rank - 2]];
  pad[pad.length - 1] = [0, cols - x.shape[x.rank - 1]];
  return pad.some(([, after]) => after > 0) ? tf.pad(x, pad) : x;
}

/**
 * tf.stack of the groups, its gradient unstacked by {@link unstackFirst}: tf.stack's own gradient is tf.unstack, G
 * Slice kernels, and tfjs-wasm's Slice copies its whole input out of the heap each time, G copies of the whole batch
 * per step (about 40 ms of an 80 ms FLAN-T5-large loss step with six module types).
 */
function stackGroups(groups: Tensor[]): Tensor {
  const stack = tf.customGrad(((...inputs: Tensor[]) => ({
    value: tf.stack(inputs.slice(0, groups.length)),
    gradFunc: (dy: Tensor) => unstackFirst(dy),
  })) as unknown as CustomGradientFunc<Tensor>);
  return stack(...groups);
}

/**
 * Several module types' factors in one batch, so that one loss call does the r x r work (Grams, eliminations,
 * Jacobi rounds) of all of them: each group's A [..., r, dIn_g] and B [..., dOut_g, r] is padded with zeros to
 * the largest dIn and dOut and the groups are stacked on a new leading axis ([G, ..., r, dIn], [G, ..., dOut, r]).
 * Exact: zero columns of A and zero rows of B change neither A A^T nor B^T B, so every singular value, norm and
 * inner product of B A is that of its group, and the gradients of the padding are simply not passed back.
 * Differentiable (pad and stack), on every backend. Use the same grouping for prediction and target and read
 * per-group losses with `reduction: 'none'` (its first axis is the group).
 * @param groups factors with the same rank and the same leading position dimensions
 */
export function groupFactors(groups: LowRankFactors[]): LowRankFactors {
  if (!Array.isArray(groups) || groups.length === 0) {
    throw new WeightSpaceError('groupFactors needs a non-empty array of { A, B } factors');
  }
  const shapes = groups.map((g, i) => factorShape(g, `groups[${i}]`));
  const first = shapes[0];
  shapes.forEach((s, i) => {
    if (s.rank !== first.rank || s.batch.join() !== first.batch.join()) {
      throw new WeightSpaceError(
        `groups[${i}] has rank ${s.rank} and positions [${s.batch}], groups[0] rank ${first.rank} and positions ` +
          `[${first.batch}]: group only factors with the same rank and positions (call the loss once per rank)`,
      );
    }
  });
  const dOut = Math.max(...shapes.map((s) => s.dOut));
  const dIn = Math.max(...shapes.map((s) => s.dIn));
  return tf.tidy(() => ({
    A: stackGroups(groups.map((g) => padLast2(g.A, first.rank, dIn))),
    B: stackGroups(groups.map((g) => padLast2(g.B, dOut, first.rank))),
  }));
}
