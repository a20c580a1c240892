import { WeightSpaceError } from '../errors';

/** How many singular triplets a truncation keeps: a fixed `rank`, or the fewest that keep an `energy` share. */
export interface RankBudget {
  /** Keep min(rank, R) triplets. */
  rank?: number;
  /** Keep the smallest k with sum_{i<=k} sigma_i^2 >= energy * sum_i sigma_i^2, in (0, 1]. */
  energy?: number;
}

/** What a truncation to `rank` keeps of an update, from its singular values (Eckart-Young). */
export interface Truncation {
  rank: number;
  /** Share of sum sigma^2 kept (1 for a zero update). */
  energy: number;
  /** |M - M_k|_F / |M|_F = sqrt(sum of the dropped sigma^2 / sum sigma^2) (0 for a zero update). */
  relativeError: number;
}

/** Checks a budget: at most one of rank (a positive integer) and energy (in (0, 1]). */
export function checkBudget(budget: RankBudget, where: string): void {
  const { rank, energy } = budget;
  if (rank !== undefined && energy !== undefined) {
    throw new WeightSpaceError(`${where}: give either rank or energy, not both`);
  }
  if (rank !== undefined && !(Number.isInteger(rank) && rank >= 1)) {
    throw new WeightSpaceError(`${where}: rank must be a positive integer (got ${rank})`);
  }
  if (energy !== undefined && !(energy > 0 && energy <= 1)) {
    throw new WeightSpaceError(`${where}: energy must be in (0, 1], a share of sum sigma^2 such as 0.9 (got ${energy})`);
  }
}

/**
 * The truncation a budget gives descending singular values `sigma` (all of them: the dropped tail is the error).
 * No budget keeps them all. At least one triplet is kept, so a zero update still has rank 1 (PEFT needs r >= 1).
 */
export function truncate(sigma: ArrayLike<number>, budget: RankBudget): Truncation {
  const squares = Array.from(sigma, (s) => s * s);
  const total = squares.reduce((s, x) => s + x, 0);
  let rank = squares.length;
  if (budget.rank !== undefined) rank = Math.min(budget.rank, squares.length);
  else if (budget.energy !== undefined) {
    let kept = 0;
    rank = 0;
    while (rank < squares.length && kept < budget.energy * total) kept += squares[rank++];
  }
  rank = Math.max(1, rank);
  if (!(total > 0)) return { rank, energy: 1, relativeError: 0 };
  // the tail summed directly: no cancellation when almost everything is kept
  const dropped = squares.slice(rank).reduce((s, x) => s + x, 0);
  return { rank, energy: 1 - dropped / total, relativeError: Math.sqrt(dropped / total) };
}
