import { WeightSpaceError } from '../errors';
import type { RankBudget } from '../lowrank/rank-budget';
import type { ArithmeticProgress, ArithmeticResult, FactoredAdapter } from './adapter';
import { merge } from './merge';

/** Options of {@link compress}: a budget (one of `rank` and `energy`) and progress. */
export type CompressOptions = RankBudget & ArithmeticProgress;

/**
 * One adapter re-ranked module by module from its factors: to `rank` k (min(k, r) kept), or to the smallest k that
 * keeps an `energy` share of sum sigma^2 (chosen per module). Each module is the best approximation of its update
 * scaling * B A within the budget, with balanced factors and scaling 1, and reports the energy kept and the
 * relative error.
 */
export function compress(adapter: FactoredAdapter, options: CompressOptions): Promise<ArithmeticResult> {
  if (options?.rank === undefined && options?.energy === undefined) {
    throw new WeightSpaceError('compress needs a budget: { rank: k } or { energy: e } with e in (0, 1]');
  }
  return merge([adapter], { ...options, method: 'svd' });
}
