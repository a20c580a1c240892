// How far to trust a generated adapter, from what generation already has: several samples of one description
// (do they agree?) and the library the model learned from (is the description like anything in it?). The score
// is measured against achieved quality by bench:paper (examples/demo), not assumed.
import type { LoraAdapter } from '@loragen/lora-io';
import { orthonormalBasis } from '../diffusion/condition-anchoring';
import { lowRankInner } from '../linalg/lowrank';

/** A library task close to a description, with the cosine of their embeddings. */
export interface NearTask {
  task: string;
  similarity: number;
}

/** What `generate(description, { samples })` reports with the adapter it returns. */
export interface GenerationConfidence {
  /** Mean pairwise cosine of the samples' whole updates dW (all modules, from the factors); 1 when they coincide. */
  agreement: number;
  /** 1 - the largest cosine of the description's embedding to a library task's (its mean description embedding). */
  novelty: number;
  /**
   * Share of the description embedding's squared norm outside the span of the library's task embeddings: words
   * and combinations the library has nothing of. 0 for a description that combines the library's own.
   */
  offLibrary: number;
  /** The 3 library tasks with the most similar embeddings, most similar first. */
  nearestTasks: NearTask[];
  /** max(0, agreement) * (1 - offLibrary), in [0, 1]: high when the samples agree on an update for a description the library covers. */
  score: number;
}

/** <dW_a, dW_b>_F summed over the modules of two adapters of one layout. */
export function updateInner(a: LoraAdapter, b: LoraAdapter): number {
  let s = 0;
  a.modules.forEach((m, k) => (s += lowRankInner(m, b.modules[k])));
  return s;
}

/** Mean pairwise cosine of the samples' updates, and the medoid: the sample with the highest mean cosine to the rest. */
export function sampleAgreement(samples: readonly LoraAdapter[]): { agreement: number; medoid: number } {
  const n = samples.length;
  if (n < 2) throw new RangeError(`agreement needs at least 2 samples, got ${n}`);
  const norms = samples.map((s) => Math.sqrt(Math.max(0, updateInner(s, s))));
  const toOthers = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const d = norms[i] * norms[j];
      const c = d > 0 ? updateInner(samples[i], samples[j]) / d : 0;
      toOthers[i] += c;
      toOthers[j] += c;
      total += c;
    }
  }
  let medoid = 0;
  for (let i = 1; i < n; i++) if (toOthers[i] > toOthers[medoid]) medoid = i;
  return { agreement: total / ((n * (n - 1)) / 2), medoid };
}

const dot = (x: ArrayLike<number>, y: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * y[i];
  return s;
};

/** The library-side signals of a description's embedding `row`, given the library's task embeddings and names. */
export function libraryFit(row: ArrayLike<number>, taskConditions: readonly ArrayLike<number>[], taskNames: readonly string[]): Pick<GenerationConfidence, 'novelty' | 'offLibrary' | 'nearestTasks'> {
  const rowNorm = Math.sqrt(dot(row, row));
  const similarities = taskConditions.map((c, t) => {
    const d = rowNorm * Math.sqrt(dot(c, c));
    return { task: taskNames[t], similarity: d > 0 ? dot(row, c) / d : 0 };
  });
  const nearestTasks = [...similarities].sort((a, b) => b.similarity - a.similarity).slice(0, 3);
  let inSpan = 0;
  for (const q of orthonormalBasis(taskConditions)) inSpan += dot(q, row) ** 2;
  const offLibrary = rowNorm > 0 ? Math.min(1, Math.max(0, 1 - inSpan / rowNorm ** 2)) : 1;
  return { novelty: Math.max(0, 1 - (nearestTasks[0]?.similarity ?? 0)), offLibrary, nearestTasks };
}

/** The documented score (see {@link GenerationConfidence.score}). */
export const confidenceScore = (agreement: number, offLibrary: number): number => Math.max(0, Math.min(1, agreement)) * (1 - offLibrary);
