// Condition anchoring: pull a sampling condition toward the conditions stage 2 was trained on.
//
// The denoiser only ever saw the library's task conditions (and single descriptions of them). A user's own
// wording embeds somewhere between them, where the denoiser's output is a blend of tasks rather than any one
// task's adapter. Anchoring replaces the condition by a convex mix of the library's task conditions, weighted by
// a softmax over cosine similarities (kernel regression onto the training conditions), and blends that with
// the raw condition: (1 - weight) * raw + weight * mix.

/** How strongly sampling conditions are pulled toward the library's task conditions. */
export interface AnchoringOptions {
  /** 0 leaves conditions as they are (the paper), 1 replaces them by the similarity-weighted task mix. */
  weight: number;
  /** Softmax temperature over cosine similarities: smaller picks the nearest task more decisively. */
  temperature: number;
}

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  // A zero row has no direction: it is equally (un)like every task.
  return aa === 0 || bb === 0 ? 0 : ab / Math.sqrt(aa * bb);
}

/** Softmax of the cosine of `row` to each task condition, at `temperature`: the task weights of the mix. */
export function taskWeights(row: ArrayLike<number>, taskConditions: readonly ArrayLike<number>[], temperature: number): number[] {
  const logits = taskConditions.map((c) => cosine(row, c) / temperature);
  const top = Math.max(...logits);
  const e = logits.map((l) => Math.exp(l - top));
  const total = e.reduce((s, x) => s + x, 0);
  return e.map((x) => x / total);
}

/** Each row anchored to `taskConditions` (see the file comment); rows and conditions share one width. */
export function anchorConditions(rows: readonly number[][], taskConditions: readonly ArrayLike<number>[], options: AnchoringOptions): number[][] {
  const { weight, temperature } = options;
  if (weight === 0 || taskConditions.length === 0) return rows.map((r) => [...r]);
  return rows.map((row) => {
    const p = taskWeights(row, taskConditions, temperature);
    return row.map((x, d) => {
      let mix = 0;
      for (let t = 0; t < taskConditions.length; t++) mix += p[t] * taskConditions[t][d];
      return (1 - weight) * x + weight * mix;
    });
  });
}
