// The `nearest-description` baseline: the library adapter whose description embedding is closest (cosine).

/** Index of the row of `candidates` with the largest cosine similarity to `query`. */
export function nearestByCosine(query: ArrayLike<number>, candidates: ReadonlyArray<ArrayLike<number>>): number {
  if (candidates.length === 0) throw new RangeError('nearestByCosine needs at least one candidate');
  const norm = (v: ArrayLike<number>) => Math.sqrt(Array.from(v).reduce((s, x) => s + x * x, 0)) || 1;
  const q = norm(query);
  let best = 0;
  let bestScore = -Infinity;
  candidates.forEach((c, i) => {
    if (c.length !== query.length) throw new RangeError(`candidate ${i} has ${c.length} dims, the query ${query.length}`);
    let dot = 0;
    for (let j = 0; j < c.length; j++) dot += c[j] * query[j];
    const score = dot / (q * norm(c));
    if (score > bestScore) [best, bestScore] = [i, score];
  });
  return best;
}
