// Library combinations (not in the paper): synthetic training tasks made from the library's own, so that both
// stages learn the linear structure the paper's Observation 1 asserts (similar descriptions, similar updates).
// A combination of three tasks a, b, c has the update dW_a + dW_b - dW_c, truncated to the library's rank by a
// factored SVD (weight-space's merge, Eckart-Young), and the condition cond_a + cond_b - cond_c. When tasks are
// made of parts that descriptions name (say a task pairs two skills), such a combination is often itself a task
// of the family, e.g. (x, y) + (z, w) - (x, z) = (y, w), and a description that names a new combination of seen
// parts is read the same way. Without them the autoencoder and the denoiser only ever see the library's N points
// and map anything between them to one of those points.
import * as tf from '@tensorflow/tfjs';
import { merge, type AdapterModule, type FactoredAdapter } from '@loragen/weight-space';
import { trainingRng } from '../training/training-rng';
import { drawBatch } from '../training/batches';
import { concat, type FactorSet } from './factor-set';

/** A synthetic task: the weighted sum of library tasks `parents` (indices into the library). */
export interface Combination {
  parents: number[];
  weights: number[];
}

/** The weights of a combination's three parents: two added, one taken away (they sum to 1, as a task's own do). */
const PARENT_WEIGHTS = [1, 1, -1];

/** Seeds the combinations' own stream, so that drawing them leaves every other draw of a run as it was. */
const COMBINATION_SEED_OFFSET = 0xc0b1;

/** `count` combinations of three distinct tasks of a library of `tasks`, drawn from `seed`. */
export function drawCombinations(tasks: number, count: number, seed: number): Combination[] {
  if (count > 0 && tasks < 3) throw new RangeError(`library combinations need at least 3 library tasks, got ${tasks}`);
  const rng = trainingRng(seed + COMBINATION_SEED_OFFSET);
  return Array.from({ length: count }, () => ({ parents: drawBatch(rng, tasks, 3), weights: PARENT_WEIGHTS }));
}

/** Rows of a training set: the library's tasks, then its combinations. */
export const trainingRows = (data: Pick<FactorSet, 'taskNames' | 'combinations'>): number => data.taskNames.length + (data.combinations?.length ?? 0);

/** Share of each stage-2 batch drawn from the library's own tasks: `diffusionLibraryShare` where set, else stage 1's. */
export const diffusionLibraryShare = (combinations: { libraryShare: number; diffusionLibraryShare?: number }): number =>
  combinations.diffusionLibraryShare ?? combinations.libraryShare;

/**
 * `data` with the factors of `combinations` appended after the library's rows (per module type, in the layout of
 * {@link FactorSet.factors}, normalised as the library). One merge call does every combination and module.
 */
export async function withCombinations(data: FactorSet, combinations: Combination[]): Promise<FactorSet> {
  if (combinations.length === 0) return data;
  const { layout } = data;
  const width = combinations[0].parents.length;
  if (combinations.some((c) => c.parents.length !== width || c.weights.length !== width)) {
    throw new RangeError('library combinations must all have the same number of parents, each with a weight');
  }
  const owned: tf.Tensor[] = [];
  // Adapter k holds every combination's k-th parent, one module per (type, combination, layer).
  const slots: FactoredAdapter[] = Array.from({ length: width }, () => ({ modules: [] as AdapterModule[] }));
  layout.moduleTypes.forEach((spec, t) => {
    const aSize = spec.rank * spec.dIn;
    const bSize = spec.dOut * spec.rank;
    combinations.forEach((c, n) => {
      for (let l = 0; l < layout.layers; l++) {
        for (let k = 0; k < width; k++) {
          const row = c.parents[k] * layout.layers + l;
          const A = tf.tensor2d(data.factors[t].A.subarray(row * aSize, (row + 1) * aSize), [spec.rank, spec.dIn]);
          const B = tf.tensor2d(data.factors[t].B.subarray(row * bSize, (row + 1) * bSize), [spec.dOut, spec.rank]);
          slots[k].modules.push({ name: `${t}/${n}/${l}`, A, B, scaling: c.weights[k] });
          owned.push(A, B);
        }
      }
    });
  });
  // merged to the largest rank of any type; a type of smaller rank keeps its leading singular triplets
  const maxRank = Math.max(...layout.moduleTypes.map((s) => s.rank));
  try {
    const merged = await merge(slots, { rank: maxRank });
    owned.push(...merged.modules.flatMap((m) => [m.A, m.B]));
    const byName = new Map(merged.modules.map((m) => [m.name, m]));
    const factors = await Promise.all(
      layout.moduleTypes.map(async (spec, t) => {
        const rows = combinations.length * layout.layers;
        const A = new Float32Array(rows * spec.rank * spec.dIn);
        const B = new Float32Array(rows * spec.dOut * spec.rank);
        for (let n = 0; n < combinations.length; n++) {
          for (let l = 0; l < layout.layers; l++) {
            const m = byName.get(`${t}/${n}/${l}`)!;
            const kept = Math.min(m.A.shape[0], spec.rank);
            const a = (await m.A.data()) as Float32Array;
            const b = (await m.B.data()) as Float32Array;
            const row = n * layout.layers + l;
            // rows beyond the kept rank stay zero (an update of lower rank than the library's)
            A.set(a.subarray(0, kept * spec.dIn), row * spec.rank * spec.dIn);
            for (let o = 0; o < spec.dOut; o++)
              for (let r = 0; r < kept; r++) B[row * spec.dOut * spec.rank + o * spec.rank + r] = b[o * m.A.shape[0] + r];
          }
        }
        return { A: concat([data.factors[t].A, A]), B: concat([data.factors[t].B, B]) };
      }),
    );
    return { ...data, factors, combinations: [...(data.combinations ?? []), ...combinations] };
  } finally {
    tf.dispose(owned);
  }
}

/** Each combination's condition: the weighted sum of its parents' rows of `rows` ([library tasks, dim], row-major). */
export function combinedConditions(rows: Float32Array, dim: number, combinations: readonly Combination[]): Float32Array {
  const out = new Float32Array(combinations.length * dim);
  combinations.forEach((c, n) => {
    c.parents.forEach((p, k) => {
      for (let d = 0; d < dim; d++) out[n * dim + d] += c.weights[k] * rows[p * dim + d];
    });
  });
  return out;
}
