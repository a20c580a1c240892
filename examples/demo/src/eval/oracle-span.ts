// The `oracle-span` upper bound: the combination of the training library's updates closest to a task's own update
// (least squares in dW, which peeks at the answer). What any generator that mixes library updates could reach.
import { mergeAdapters } from '@loragen/core';
import type { LoraAdapter } from '@loragen/lora-io';
import { solvePositiveDefinite } from './linear-solve';
import { updateInner } from '@loragen/core';

/** Relative ridge on the library Gram: keeps the solve defined when updates are (nearly) linearly dependent. */
const JITTER = 1e-10;

export interface SpanFit {
  /** w with sum_i w_i dW_i the projection of the target's dW onto the library's span. */
  weights: number[];
  /** |dW - projection|^2 / |dW|^2: the share of the target's energy outside the span. */
  outsideShare: number;
}

/** Least-squares weights of the library's updates for `target` (G w = <dW_i, dW_target>, G the library's Gram). */
export function spanFit(library: readonly LoraAdapter[], gram: Float64Array, target: LoraAdapter): SpanFit {
  const n = library.length;
  if (gram.length !== n * n) throw new RangeError(`oracle-span: the update Gram has ${gram.length} entries, expected ${n} x ${n}`);
  const cross = Float64Array.from(library, (a) => updateInner(a, target));
  let trace = 0;
  for (let i = 0; i < n; i++) trace += gram[i * n + i];
  const jittered = gram.map((g, ij) => g + (ij % (n + 1) === 0 ? (JITTER * trace) / n : 0));
  const weights = Array.from(solvePositiveDefinite(jittered, cross, n, 1));
  const norm = updateInner(target, target);
  // |t - P t|^2 = |t|^2 - <P t, t> for an orthogonal projection P
  const explained = weights.reduce((s, w, i) => s + w * cross[i], 0);
  return { weights, outsideShare: norm > 0 ? Math.max(0, 1 - explained / norm) : 0 };
}

/** The projection as an adapter of rank `rank` (each module the best rank-`rank` approximation of its part). */
export async function oracleSpanAdapter(library: LoraAdapter[], gram: Float64Array, target: LoraAdapter, rank: number): Promise<LoraAdapter> {
  return (await mergeAdapters(library, { weights: spanFit(library, gram, target).weights, rank })).adapter;
}
