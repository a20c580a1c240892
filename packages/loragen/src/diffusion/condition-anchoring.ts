// Condition anchoring: pull a sampling condition toward the conditions stage 2 was trained on.
//
// The denoiser only ever saw the library's task conditions (and single descriptions of them). A user's own
// wording embeds somewhere between them, where the denoiser's output is a blend of tasks rather than any one
// task's adapter. Anchoring replaces the condition by a convex mix of the library's task conditions, weighted by
// a softmax over cosine similarities (kernel regression onto the training conditions), and blends that with
// the raw condition: (1 - weight) * raw + weight * mix. That pulls every condition onto (nearly) one library task,
// which is right for a library task named in new words and wrong for a task between them. The 'span' mode instead
// projects the condition onto the linear span of the task conditions: the words the library never uses drop
// out, and a description that names a new combination of the library's parts keeps that combination (the span
// holds it when the description embeds as the sum of its parts' words). The projection is then scaled to the
// task conditions' mean norm: one description embeds with a larger norm than the mean of a task's several (its
// particular words do not average out), and the denoiser learned the norms of the means.
// With `snap`, a result whose cosine to its nearest task condition reaches that threshold becomes that condition
// exactly: a description that plainly names one library task is then sampled as the task's own training condition,
// while one between tasks (a new combination) stays where the mode put it.

/** How strongly sampling conditions are pulled toward the library's task conditions. */
export interface AnchoringOptions {
  /** 0 leaves conditions as they are (the paper), 1 replaces them by the similarity-weighted task mix. */
  weight: number;
  /** Softmax temperature over cosine similarities ('nearest' only): smaller picks the nearest task more decisively. */
  temperature: number;
  /** 'nearest': the similarity-weighted mix of task conditions. 'span': the projection onto their span, at their mean norm. @default 'nearest' */
  mode?: 'nearest' | 'span';
  /** A cosine in (0, 1]: an anchored row at least this close to its nearest task condition becomes that condition. Off when absent. */
  snap?: number;
}

/** The cosine of two vectors; 0 when either is zero. */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
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

const length = (v: Float64Array): number => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

/**
 * An orthonormal basis of the span of `vectors` (modified Gram-Schmidt in float64, each direction orthogonalised
 * twice); a vector left with less than 1e-6 of its norm adds nothing, being (nearly) in the span already.
 */
export function orthonormalBasis(vectors: readonly ArrayLike<number>[]): Float64Array[] {
  const basis: Float64Array[] = [];
  for (const v of vectors) {
    const w = Float64Array.from(v as ArrayLike<number>);
    const norm = length(w);
    for (let pass = 0; pass < 2; pass++) {
      for (const q of basis) {
        let c = 0;
        for (let d = 0; d < w.length; d++) c += q[d] * w[d];
        for (let d = 0; d < w.length; d++) w[d] -= c * q[d];
      }
    }
    const left = length(w);
    if (left > 1e-6 * norm) basis.push(w.map((x) => x / left));
  }
  return basis;
}

/** `row` projected onto the span of the orthonormal `basis`. */
function projected(row: readonly number[], basis: readonly Float64Array[]): number[] {
  const out = new Array<number>(row.length).fill(0);
  for (const q of basis) {
    let c = 0;
    for (let d = 0; d < row.length; d++) c += q[d] * row[d];
    for (let d = 0; d < row.length; d++) out[d] += c * q[d];
  }
  return out;
}

/** `row`, or with `snap` the task condition it is at least that close to (by cosine), as a new array. */
function snapped(row: number[], taskConditions: readonly ArrayLike<number>[], snap: number | undefined): number[] {
  if (snap === undefined) return row;
  const similarities = taskConditions.map((c) => cosine(row, c));
  const nearest = similarities.indexOf(Math.max(...similarities));
  return similarities[nearest] >= snap ? Array.from(taskConditions[nearest]) : row;
}

/** Each row anchored to `taskConditions` (see the file comment); rows and conditions share one width. */
export function anchorConditions(rows: readonly number[][], taskConditions: readonly ArrayLike<number>[], options: AnchoringOptions): number[][] {
  if (options.weight === 0 || taskConditions.length === 0) return rows.map((r) => [...r]);
  return mixedRows(rows, taskConditions, options).map((row) => snapped(row, taskConditions, options.snap));
}

/** The rows moved toward the task conditions by `options.mode`, before any snapping. */
function mixedRows(rows: readonly number[][], taskConditions: readonly ArrayLike<number>[], options: AnchoringOptions): number[][] {
  const { weight, temperature } = options;
  const basis = options.mode === 'span' ? orthonormalBasis(taskConditions) : undefined;
  const meanNorm = taskConditions.reduce((s, c) => s + length(Float64Array.from(c)), 0) / taskConditions.length;
  return rows.map((row) => {
    if (basis) {
      const mix = projected(row, basis);
      const norm = length(Float64Array.from(mix));
      const scale = norm > 0 ? meanNorm / norm : 0;
      return row.map((x, d) => (1 - weight) * x + weight * scale * mix[d]);
    }
    const p = taskWeights(row, taskConditions, temperature);
    return row.map((x, d) => {
      let mix = 0;
      for (let t = 0; t < taskConditions.length; t++) mix += p[t] * taskConditions[t][d];
      return (1 - weight) * x + weight * mix;
    });
  });
}
