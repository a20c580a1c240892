/**
 * The round-robin ("tournament") ordering of one Jacobi sweep: r - 1 rounds (r if r is odd) in which every
 * index meets every other exactly once and the pairs of a round are disjoint, so a whole round of 2 x 2
 * rotations is applied at once as one r x r matrix.
 */
export interface JacobiRound {
  /** [r*r, 3h] one-hot: picks G[p,p], G[q,q], G[p,q] of each of the h pairs from a row-major G. */
  select: Float32Array;
  /** [2h, r*r]: scatters (cos, sin) of each pair into the rotation J (J[p,p] = J[q,q] = c, J[p,q] = s, J[q,p] = -s). */
  place: Float32Array;
  /** [r*r]: ones on the diagonal for the index that sits out this round (odd r), else zeros. */
  idle: Float32Array;
  pairs: number;
}

const cache = new Map<number, JacobiRound[]>();

function roundsFor(r: number): JacobiRound[] {
  const n = r + (r % 2);
  let seats = Array.from({ length: n }, (_, i) => i);
  const rounds: JacobiRound[] = [];
  for (let round = 0; round < n - 1; round++) {
    const pairs: [number, number][] = [];
    for (let i = 0; i < n / 2; i++) {
      const [p, q] = [seats[i], seats[n - 1 - i]].sort((a, b) => a - b);
      if (q < r) pairs.push([p, q]);
    }
    const h = pairs.length;
    const select = new Float32Array(r * r * 3 * h);
    const place = new Float32Array(2 * h * r * r);
    const idle = new Float32Array(r * r);
    const busy = new Set<number>();
    pairs.forEach(([p, q], j) => {
      select[(p * r + p) * 3 * h + j] = 1;
      select[(q * r + q) * 3 * h + h + j] = 1;
      select[(p * r + q) * 3 * h + 2 * h + j] = 1;
      place[j * r * r + p * r + p] = 1;
      place[j * r * r + q * r + q] = 1;
      place[(h + j) * r * r + p * r + q] = 1;
      place[(h + j) * r * r + q * r + p] = -1;
      busy.add(p).add(q);
    });
    for (let i = 0; i < r; i++) if (!busy.has(i)) idle[i * r + i] = 1;
    rounds.push({ select, place, idle, pairs: h });
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
