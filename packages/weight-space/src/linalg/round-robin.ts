/**
 * The round-robin ("tournament") ordering of one Jacobi sweep: r - 1 rounds (r if r is odd) in which every
 * index meets every other exactly once and the pairs of a round are disjoint, so a whole round of 2 x 2
 * rotations is applied at once, column by column, with no per-pair work.
 */
export interface JacobiRound {
  /** [r]: the partner of each index (an idle index is its own partner). */
  partner: Int32Array;
  /** [r]: -1/2 at the lower index p of a pair, +1/2 at the higher index q, 0 at an idle index. */
  halfSign: Float32Array;
}

const cache = new Map<number, JacobiRound[]>();

function roundsFor(r: number): JacobiRound[] {
  const n = r + (r % 2);
  let seats = Array.from({ length: n }, (_, i) => i);
  const rounds: JacobiRound[] = [];
  for (let round = 0; round < n - 1; round++) {
    const partner = Int32Array.from({ length: r }, (_, i) => i);
    const halfSign = new Float32Array(r);
    for (let i = 0; i < n / 2; i++) {
      const [p, q] = [seats[i], seats[n - 1 - i]].sort((a, b) => a - b);
      if (q >= r) continue;
      partner[p] = q;
      partner[q] = p;
      halfSign[p] = -0.5;
      halfSign[q] = 0.5;
    }
    rounds.push({ partner, halfSign });
    seats = [seats[0], seats[n - 1], ...seats.slice(1, n - 1)];
  }
  return rounds;
}

/** The rounds of one sweep for r x r matrices (computed once per r, plain arrays: no tensors are kept). */
export function jacobiRounds(r: number): JacobiRound[] {
  let rounds = cache.get(r);
  if (!rounds) {
    rounds = roundsFor(r);
    cache.set(r, rounds);
  }
  return rounds;
}
