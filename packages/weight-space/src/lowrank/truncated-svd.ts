import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { type RankBudget, type Truncation, checkBudget, truncate } from './rank-budget';
import { WeightSpaceError } from '../errors';
import { type Term, leftMul, rightMul } from '../host/registry';
import type { LowRankFactors } from '../types';
import { type FactorShape, factorShape } from '../validate';
import { type FlatFactors, flatFactors } from './gram-root';
import { type SumSpectrum, sumSpectrum } from './sum-spectrum';

/** Options of {@link truncatedSvdOfSum}: the coefficients c_t and the budget (none: keep every triplet). */
export interface TruncatedSvdOptions extends RankBudget {
  /** c_t of each term. @default all 1 */
  coefficients?: number[];
}

/** The best rank-k approximation of a sum of low-rank products, per position, and what it kept. */
export interface TruncatedSvd {
  /**
   * Balanced factors of M_k = U_k S_k V_k^T: B = U_k S_k^1/2 [..., dOut, k], A = S_k^1/2 V_k^T [..., k, dIn]
   * (B^T B = A A^T = S_k). k is the largest rank over the positions; a position with a smaller one has zero
   * columns of B and rows of A past it (they add nothing).
   */
  factors: LowRankFactors;
  /** Per position, in the flattened order of the leading axes: the rank kept, energy share and relative error. */
  truncations: Truncation[];
  /** Per position, every singular value of the exact sum (R = sum_t r_t of them), descending. */
  singularValues: Float64Array[];
}

/** sum_t U_t V_t by the cpu/wasm product kernels (two terms a call; tf.matMul elsewhere). */
function sumOfProducts(terms: Term[], product: (terms: Term[]) => Tensor): Tensor {
  const partial: Tensor[] = [];
  for (let t = 0; t < terms.length; t += 2) partial.push(product(terms.slice(t, t + 2)));
  return partial.length === 1 ? partial[0] : tf.addN(partial);
}

/** Checks that the terms are one batch of dOut x dIn updates (ranks may differ) and returns their shapes. */
function termShapes(terms: LowRankFactors[]): FactorShape[] {
  if (!Array.isArray(terms) || terms.length === 0) throw new WeightSpaceError('truncatedSvdOfSum needs at least one term { A, B }');
  const shapes = terms.map((t, i) => factorShape(t, `term ${i}`));
  const first = shapes[0];
  shapes.forEach((s, i) => {
    if (s.batch.join() !== first.batch.join() || s.dOut !== first.dOut || s.dIn !== first.dIn) {
      throw new WeightSpaceError(
        `term ${i} (positions [${s.batch}], ${s.dOut} x ${s.dIn}) does not match term 0 (positions [${first.batch}], ` +
          `${first.dOut} x ${first.dIn}): a sum needs updates of one shape; ranks may differ`,
      );
    }
  });
  return shapes;
}

/**
 * The truncated SVD of M = sum_t c_t B_t A_t (A_t [..., r_t, dIn], B_t [..., dOut, r_t]) computed from the factors,
 * never forming M: Grams of the stacked factors (float64 on cpu and wasm), an SVD of their R x R core
 * (R = sum_t r_t), and two products of the factors with small mixing matrices. Returns factors whose product is
 * the best approximation of M of the budget's rank (Eckart-Young: no rank-k matrix is closer in Frobenius or
 * spectral norm), every singular value of M, and per position the share of sum sigma^2 kept and the relative
 * error |M - M_k|_F / |M|_F. Not differentiable.
 */
export async function truncatedSvdOfSum(terms: LowRankFactors[], options: TruncatedSvdOptions = {}): Promise<TruncatedSvd> {
  const shapes = termShapes(terms);
  checkBudget(options, 'truncatedSvdOfSum');
  const coefficients = options.coefficients ?? terms.map(() => 1);
  if (coefficients.length !== terms.length || !coefficients.every(Number.isFinite)) {
    throw new WeightSpaceError(`coefficients must be ${terms.length} finite numbers, one per term (got [${coefficients}])`);
  }
  const flat = terms.map((t) => flatFactors(t.A, t.B));
  try {
    return await truncateSum(flat, coefficients, options, shapes[0]);
  } finally {
    tf.dispose(flat.flatMap((f) => [f.a, f.b]));
  }
}

async function truncateSum(
  flat: FlatFactors[],
  coefficients: number[],
  budget: RankBudget,
  { batch, dOut, dIn }: FactorShape,
): Promise<TruncatedSvd> {
  const ranks = flat.map((f) => f.a.shape[1] as number);
  const total = ranks.reduce((s, r) => s + r, 0);
  // a rank budget says how many frame columns will be used; an energy budget is only known from the values
  const spectrum = sumSpectrum(flat, coefficients, budget.rank ?? total);
  try {
    return await truncateSpectrum(flat, coefficients, budget, { batch, dOut, dIn, total, ranks }, spectrum);
  } finally {
    tf.dispose([spectrum.values, spectrum.left, spectrum.right, spectrum.scale]);
  }
}

async function truncateSpectrum(
  flat: FlatFactors[],
  coefficients: number[],
  budget: RankBudget,
  { batch, dOut, dIn, total, ranks }: { batch: number[]; dOut: number; dIn: number; total: number; ranks: number[] },
  spectrum: SumSpectrum,
): Promise<TruncatedSvd> {
  const [values, scale] = await Promise.all([spectrum.values.data(), spectrum.scale.data()]);
  const positions = values.length / total;
  // values at the solver's rounding level are zero (else a sum that cancels would keep its rounding noise)
  const singularValues = Array.from({ length: positions }, (_, n) =>
    Float64Array.from(values.subarray(n * total, (n + 1) * total), (s) => (s > spectrum.noise * scale[n] ? s : 0)),
  );
  const truncations = singularValues.map((sigma) => truncate(sigma, budget));
  const k = Math.max(1, ...truncations.map((t) => t.rank));
  // S_k^-1/2 per position, zero past its rank (and for sigma = 0, whose frame columns are zero)
  const halfInverse = new Float32Array(positions * k);
  truncations.forEach((t, n) => {
    for (let i = 0; i < t.rank; i++) {
      const s = singularValues[n][i];
      halfInverse[n * k + i] = s > 0 ? 1 / Math.sqrt(s) : 0;
    }
  });
  const factors = tf.tidy(() => {
    // the B side's product kernel wants a width that is a multiple of 4: zero columns up to it, cut after
    const width = Math.ceil(k / 4) * 4;
    const scale = tf.pad(tf.tensor3d(halfInverse, [positions, 1, k]), [
      [0, 0],
      [0, 0],
      [0, width - k],
    ]);
    // B' = B_w F_A Q_k S^-1/2 = sum_t B_t (c_t rows_t of that mix); A' = S^-1/2 P_k^T F_B^T A_s likewise
    const frame = (x: Tensor) => {
      const columns = tf.slice(x, [0, 0, 0], [positions, total, Math.min(width, total)]);
      return tf.mul(
        width > total
          ? tf.pad(columns, [
              [0, 0],
              [0, 0],
              [0, width - total],
            ])
          : columns,
        scale,
      );
    };
    const [rightMix, leftMix] = [frame(spectrum.right), tf.transpose(frame(spectrum.left), [0, 2, 1])];
    let row = 0;
    const bTerms: Term[] = [];
    const aTerms: Term[] = [];
    flat.forEach(({ a, b }, t) => {
      const r = ranks[t];
      bTerms.push([b, tf.mul(tf.slice(rightMix, [0, row, 0], [positions, r, width]), coefficients[t])]);
      aTerms.push([tf.slice(leftMix, [0, 0, row], [positions, width, r]), a]);
      row += r;
    });
    const [a, b] = [sumOfProducts(aTerms, leftMul), sumOfProducts(bTerms, rightMul)];
    // (a slice copies the whole tensor on tfjs-wasm: only when there are padding columns to cut)
    return {
      A: tf.reshape(width === k ? a : tf.slice(a, [0, 0, 0], [positions, k, dIn]), [...batch, k, dIn]),
      B: tf.reshape(width === k ? b : tf.slice(b, [0, 0, 0], [positions, dOut, k]), [...batch, dOut, k]),
    };
  });
  return { factors, truncations, singularValues };
}
