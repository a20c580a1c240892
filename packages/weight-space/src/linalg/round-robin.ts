/**
 * The round-robin ("tournament") ordering of one Jacobi sweep: r - 1 rounds (r if r is odd) in which every
 * index meets every other exactly once and the pairs of a round are disjoint, so a whole round of 2 x 2
 * rotations is applied at once. Every per-round matrix is a constant shared by all positions, so the wasm
 * backend runs each product as one flat (fast) matmul instead of a batched one.
 */
export interface JacobiRound {
  /** [r, r] permutation that swaps p and q of every pair (an idle index stays). */
  swap: Float32Array;
  /** [r, h]: column norms^2 -> |k_q|^2 - |k_p|^2 per pair. */
  gap: Float32Array;
  /** [r, h]: k_i . k_swap(i) -> 2 k_p . k_q per pair. */
  twice: Float32Array;
  /** [h, r]: cos of each pair to the multiplier of columns p and q. */
  cos: Float32Array;
  /** [h, r]: sin of each pair to the multiplier of the swapped column (-sin at p, +sin at q). */
  sin: Float32Array;
  /** [r]: 1 at the index that sits out this round (odd r only). */
  idle: Float32Array | null;
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
    const swap = new Float32Array(r * r);
    const gap = new Float32Array(r * h);
    const twice = new Float32Array(r * h);
    const cos = new Float32Array(h * r);
    const sin = new Float32Array(h * r);
    const idle = new Float32Array(r).fill(1);
    pairs.forEach(([p, q], j) => {
      swap[p * r + q] = 1;
      swap[q * r + p] = 1;
      gap[q * h + j] = 1;
      gap[p * h + j] = -1;
      twice[p * h + j] = 2;
      cos[j * r + p] = 1;
      cos[j * r + q] = 1;
      sin[j * r + p] = -1;
      sin[j * r + q] = 1;
      idle[p] = 0;
      idle[q] = 0;
    });
    idle.forEach((v, i) => {
      if (v) swap[i * r + i] = 1;
    });
    rounds.push({ swap, gap, twice, cos, sin, idle: idle.some((v) => v) ? idle : null, pairs: h });
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
