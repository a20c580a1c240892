// Rank statistics for judging a score against outcomes (a generated adapter's confidence against its quality).
import { pearson } from './observations';

/** Ranks 1..n of `values`, ties given the mean of the ranks they span. */
export function ranks(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(values.length);
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end + 1 < order.length && order[end + 1][0] === order[start][0]) end++;
    for (let k = start; k <= end; k++) out[order[k][1]] = (start + end) / 2 + 1;
    start = end + 1;
  }
  return out;
}

/** Spearman's rank correlation: Pearson's of the ranks (ties averaged). */
export function spearman(x: readonly number[], y: readonly number[]): number {
  if (x.length !== y.length) throw new RangeError(`spearman: ${x.length} scores but ${y.length} outcomes`);
  return pearson(ranks(x), ranks(y));
}

/**
 * Area under the ROC curve of `scores` for the `positive` cases: the probability that a random positive scores
 * above a random negative, ties counting half (Mann-Whitney). NaN without both kinds of case.
 */
export function auroc(scores: readonly number[], positive: readonly boolean[]): number {
  if (scores.length !== positive.length) throw new RangeError(`auroc: ${scores.length} scores but ${positive.length} labels`);
  const r = ranks(scores);
  const pos = positive.filter(Boolean).length;
  const neg = positive.length - pos;
  if (pos === 0 || neg === 0) return Number.NaN;
  const rankSum = r.reduce((s, v, i) => s + (positive[i] ? v : 0), 0);
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}
