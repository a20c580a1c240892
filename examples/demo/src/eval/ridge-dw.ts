// The `ridge-dw` baseline: ridge regression from a description embedding to every position's weight update dW,
// fitted on the library's tasks (one row per task: its mean description embedding and its adapter's dW). In kernel
// form the prediction for a query is a weighted sum of the library's updates, sum_i w_i dW_i, so it is formed from
// the factors (core's exact merge) and truncated back to the library's rank by a factored SVD (Eckart-Young).
import { mergeAdapters } from '@loragen/core';
import type { LoraAdapter } from '@loragen/lora-io';
import { solvePositiveDefinite } from './linear-solve';

/** Ridge strengths tried, as multiples of the mean squared embedding norm (the kernel's trace / N). */
const RELATIVE_LAMBDAS = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1, 3, 10, 30, 100];

/** A fitted ridge regression from embeddings to updates, kept in kernel form over the N library tasks. */
export class RidgeDw {
  private constructor(
    private readonly mean: Float64Array,
    private readonly centred: Float64Array[],
    /** (K_c + lambda I)^-1 with K_c the centred embeddings' Gram. */
    private readonly inverse: Float64Array,
    /** Chosen strength (absolute). */
    readonly lambda: number,
    /** Leave-one-task-out error of the chosen strength: sum_j |dW_j - dW_(-j)|^2 / sum_j |dW_j - mean dW|^2. */
    readonly leaveOneOutError: number,
  ) {}

  /**
   * Fits on task embeddings (one row per library task) and the Gram of their updates (`updateGram`); the
   * strength is the one of {@link RELATIVE_LAMBDAS} with the smallest leave-one-task-out error of dW, which the
   * linear smoother's shortcut gives exactly: residual_j / (1 - H_jj), H = 11^T / N + K_c (K_c + lambda I)^-1.
   */
  static fit(embeddings: readonly ArrayLike<number>[], gram: Float64Array): RidgeDw {
    const n = embeddings.length;
    if (n < 2) throw new RangeError(`ridge-dw needs at least 2 library tasks, got ${n}`);
    if (gram.length !== n * n) throw new RangeError(`ridge-dw: the update Gram has ${gram.length} entries, expected ${n} x ${n}`);
    const dim = embeddings[0].length;
    const mean = new Float64Array(dim);
    for (const e of embeddings) for (let d = 0; d < dim; d++) mean[d] += e[d] / n;
    const centred = embeddings.map((e) => Float64Array.from({ length: dim }, (_, d) => e[d] - mean[d]));
    const kernel = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) kernel[i * n + j] = dot(centred[i], centred[j]);
    let trace = 0;
    for (let i = 0; i < n; i++) trace += kernel[i * n + i];
    const identity = new Float64Array(n * n);
    for (let i = 0; i < n; i++) identity[i * n + i] = 1;
    // Total variance of the updates around their mean: sum_j G_jj - 1^T G 1 / N.
    let spread = 0;
    for (let i = 0; i < n; i++) spread += gram[i * n + i];
    spread -= gram.reduce((s, x) => s + x, 0) / n;
    let best: RidgeDw | undefined;
    for (const relative of RELATIVE_LAMBDAS) {
      const lambda = (relative * trace) / n;
      const shifted = kernel.map((k, ij) => k + (ij % (n + 1) === 0 ? lambda : 0));
      const inverse = solvePositiveDefinite(shifted, identity, n, n);
      const residual = new Float64Array(n * n); // I - H, symmetric
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          let kInv = 0;
          for (let k = 0; k < n; k++) kInv += kernel[i * n + k] * inverse[k * n + j];
          residual[i * n + j] = (i === j ? 1 : 0) - 1 / n - kInv;
        }
      }
      let error = 0;
      for (let j = 0; j < n; j++) {
        // [(I - H) G (I - H)]_jj = |dW_j - prediction_j|^2
        let s = 0;
        for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) s += residual[j * n + a] * gram[a * n + b] * residual[b * n + j];
        error += s / residual[j * n + j] ** 2;
      }
      const relativeError = error / spread;
      if (!best || relativeError < best.leaveOneOutError) best = new RidgeDw(mean, centred, inverse, lambda, relativeError);
    }
    return best!;
  }

  /**
   * w_i with prediction sum_i w_i dW_i: 1 / N (the intercept, mean dW) + beta_i, beta = (K_c + lambda I)^-1 k_c(query).
   * beta sums to 0 because the centred kernel has 1 in its null space, so the weights sum to 1.
   */
  weights(query: ArrayLike<number>): number[] {
    const n = this.centred.length;
    const q = Float64Array.from({ length: this.mean.length }, (_, d) => query[d] - this.mean[d]);
    const k = this.centred.map((row) => dot(row, q));
    return Array.from({ length: n }, (_, i) => 1 / n + k.reduce((s, kj, j) => s + this.inverse[i * n + j] * kj, 0));
  }

  /** The predicted update for `query` as an adapter of rank `rank` (each module the best rank-`rank` approximation). */
  async adapter(query: ArrayLike<number>, library: LoraAdapter[], rank: number): Promise<LoraAdapter> {
    return (await mergeAdapters(library, { weights: this.weights(query), rank })).adapter;
  }
}

function dot(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * y[i];
  return s;
}
