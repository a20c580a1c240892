import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { WeightSpaceError } from '../errors';
import { type RankBudget, checkBudget } from '../lowrank/rank-budget';
import { unstackFirst } from '../host/registry';
import { truncatedSvdOfSum } from '../lowrank/truncated-svd';
import type { ArithmeticModule, ArithmeticProgress, ArithmeticResult, FactoredAdapter } from './adapter';
import { type AlignedModule, alignModules } from './align';

/** Options of {@link merge}. */
export interface MergeOptions extends RankBudget, ArithmeticProgress {
  /** w_i of each adapter. @default all 1 (the plain sum) */
  weights?: number[];
  /**
   * `concat`: the exact sum, factors stacked (rank sum_i r_i). `svd`: the exact sum's truncated SVD, to `rank` or
   * `energy` (all of its triplets without a budget).
   * @default 'svd' when a rank or energy is given, else 'concat'
   */
  method?: 'concat' | 'svd';
}

/** Input bytes per call by default: few calls (each has a fixed cost), and the stacked copies stay small. */
const BYTES_PER_CALL = 64 << 20;

/**
 * The weighted sum of adapters, module by module: sum_i w_i s_i B_i A_i (s_i each module's scaling), never forming
 * a dense update. `concat` stacks the factors (exact); `svd` gives the best approximation of the exact sum within
 * the budget (Eckart-Young), with balanced factors. Unlike merging A's and B's separately (PEFT's `linear`), there
 * are no cross terms. Each module comes back with scaling 1, the rank kept, the share of sum sigma^2 kept and the
 * relative Frobenius error to the exact sum; the caller disposes its tensors.
 */
export async function merge(adapters: FactoredAdapter[], options: MergeOptions = {}): Promise<ArithmeticResult> {
  checkBudget(options, 'merge');
  const budgeted = options.rank !== undefined || options.energy !== undefined;
  const method = options.method ?? (budgeted ? 'svd' : 'concat');
  if (method !== 'concat' && method !== 'svd') throw new WeightSpaceError(`merge: method must be 'concat' or 'svd' (got '${method}')`);
  if (method === 'concat' && budgeted) {
    throw new WeightSpaceError("merge: a rank or energy budget needs method 'svd' ('concat' is exact and keeps rank sum r_i)");
  }
  const weights = options.weights ?? adapters.map(() => 1);
  if (!Array.isArray(weights) || weights.length !== adapters?.length || !weights.every(Number.isFinite)) {
    throw new WeightSpaceError(`merge: weights must be ${adapters?.length} finite numbers, one per adapter (got [${weights}])`);
  }
  const { modulesPerCall } = options;
  if (modulesPerCall !== undefined && !(Number.isInteger(modulesPerCall) && modulesPerCall >= 1)) {
    throw new WeightSpaceError(`merge: modulesPerCall must be a positive integer (got ${modulesPerCall})`);
  }
  const modules = alignModules(adapters);
  const coefficients = (m: AlignedModule) => m.terms.map((t, i) => weights[i] * (t.scaling ?? 1));
  const progress = options.onProgress ?? (() => {});
  if (method === 'concat') {
    const stacked: ArithmeticModule[] = [];
    for (const m of modules) {
      stacked.push(concatenated(m, coefficients(m)));
      progress(stacked.length, modules.length);
    }
    return { modules: stacked };
  }
  const out = new Map<string, ArithmeticModule>();
  let done = 0;
  for (const chunk of batches(modules, coefficients, modulesPerCall)) {
    for (const merged of await truncatedChunk(chunk, coefficients(chunk[0]), options)) out.set(merged.name, merged);
    progress((done += chunk.length), modules.length);
  }
  return { modules: modules.map((m) => out.get(m.name) as ArithmeticModule) };
}

/** The exact sum with stacked factors: A = [A_1; ...], B = [c_1 B_1, ...]. */
function concatenated(m: AlignedModule, coefficients: number[]): ArithmeticModule {
  const { A, B } = tf.tidy(() => ({
    A: tf.concat(
      m.terms.map((t) => t.A),
      0,
    ),
    B: tf.concat(
      m.terms.map((t, i) => (coefficients[i] === 1 ? t.B : tf.mul(t.B, coefficients[i]))),
      1,
    ),
  }));
  return { name: m.name, A, B, scaling: 1, rank: A.shape[0], energy: 1, relativeError: 0, singularValues: null };
}

/**
 * Modules that one factored SVD call can take together (same dOut x dIn, ranks and coefficients), at most `size`
 * at a time (by default as many as hold BYTES_PER_CALL of factors), in their original order within each batch.
 */
function batches(modules: AlignedModule[], coefficients: (m: AlignedModule) => number[], size?: number): AlignedModule[][] {
  const groups = new Map<string, AlignedModule[]>();
  for (const m of modules) {
    const key = `${m.dOut}x${m.dIn}|${m.ranks}|${coefficients(m)}`;
    const group = groups.get(key) ?? [];
    group.push(m);
    groups.set(key, group);
  }
  return [...groups.values()].flatMap((group) => {
    const { ranks, dOut, dIn } = group[0];
    const bytes = ranks.reduce((s, r) => s + r, 0) * (dOut + dIn) * 4;
    const n = size ?? Math.max(1, Math.floor(BYTES_PER_CALL / bytes));
    return Array.from({ length: Math.ceil(group.length / n) }, (_, i) => group.slice(i * n, (i + 1) * n));
  });
}

/** The first k rows of A and columns of B (the rest are zero: this position kept fewer than the batch's largest rank). */
function atRank(a: Tensor, b: Tensor, k: number): [Tensor, Tensor] {
  const out = tf.tidy(() => [tf.slice(a, [0, 0], [k, -1]), tf.slice(b, [0, 0], [-1, k])]) as [Tensor, Tensor];
  tf.dispose([a, b]);
  return out;
}

/** One batch through {@link truncatedSvdOfSum}, split back into modules at their own ranks. */
async function truncatedChunk(chunk: AlignedModule[], coefficients: number[], budget: RankBudget): Promise<ArithmeticModule[]> {
  const stackOf = (tensors: Tensor[]) => (tensors.length === 1 ? tf.expandDims(tensors[0], 0) : tf.stack(tensors));
  const terms = chunk[0].terms.map((_, t) => ({ A: stackOf(chunk.map((m) => m.terms[t].A)), B: stackOf(chunk.map((m) => m.terms[t].B)) }));
  try {
    const { factors, truncations, singularValues } = await truncatedSvdOfSum(terms, { coefficients, rank: budget.rank, energy: budget.energy });
    // one copy per module (tf.slice of a batch copies the whole batch out of tfjs-wasm's heap per call)
    const [as, bs] = [unstackFirst(factors.A), unstackFirst(factors.B)];
    tf.dispose([factors.A, factors.B]);
    return chunk.map((m, n) => {
      const k = truncations[n].rank;
      const [A, B] = k === as[n].shape[0] ? [as[n], bs[n]] : atRank(as[n], bs[n], k);
      return { name: m.name, A, B, scaling: 1 as const, ...truncations[n], singularValues: singularValues[n] };
    });
  } finally {
    tf.dispose(terms.flatMap((t) => [t.A, t.B]));
  }
}
