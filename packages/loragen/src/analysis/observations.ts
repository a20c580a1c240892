import type { LoraModule } from '@loragen/lora-io';
import { LibraryError } from '../errors';
import { assertFiniteLibraryAdapter, type LibraryTask } from '../data/factor-set';
import { layoutOf } from '../data/layout';
import { lowRankCosineFloat64, lowRankSingularValuesFloat64, spectralEntropyOfValues } from '@loragen/weight-space';
import { HashingTextEncoder } from '../text/hashing-encoder';

/** One pair of tasks: how similar their descriptions, their updates dW and their raw factors are. */
export interface TaskPair {
  a: string;
  b: string;
  description: number;
  deltaW: number;
  factors: number;
}

/** The paper's two observations measured on a library. */
export interface LibraryObservations {
  /** Obs-1: every pair of tasks. */
  pairs: TaskPair[];
  /** Pearson correlation of description similarity with dW similarity, and with factor similarity. */
  correlation: { deltaW: number; factors: number };
  /** Obs-2: spectral entropy of dW per module type, over tasks x layers. */
  entropyByModuleType: { moduleType: string; mean: number; std: number; count: number }[];
}

export function pearson(x: number[], y: number[]): number {
  const n = x.length;
  const mx = x.reduce((s, v) => s + v, 0) / n;
  const my = y.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : 0;
}

/** Cosine of two vectors given as matching pieces (e.g. [A, B] of two modules, flattened and joined). */
function cosine(pieces: [ArrayLike<number>, ArrayLike<number>][]): number {
  let dot = 0;
  let nx = 0;
  let ny = 0;
  for (const [p, q] of pieces) {
    for (let i = 0; i < p.length; i++) {
      dot += p[i] * q[i];
      nx += p[i] * p[i];
      ny += q[i] * q[i];
    }
  }
  return nx > 0 && ny > 0 ? dot / Math.sqrt(nx * ny) : 0;
}

/** What an element-wise factor loss compares: the flattened [A; B]. */
function factorCosine(x: LoraModule, y: LoraModule): number {
  return cosine([
    [x.A, y.A],
    [x.B, y.B],
  ]);
}

function mean(xs: number[]): number {
  return xs.reduce((s, v) => s + v, 0) / xs.length;
}

/**
 * Obs-1 (non-uniqueness): per task pair, the cosine of their averaged hashed descriptions against the mean
 * cosine over modules of dW and of the raw factors. Obs-2 (heterogeneity): spectral entropy per module type.
 * @throws LibraryError for fewer than 2 tasks (Obs-1 compares pairs) or NaN / Infinity in an adapter.
 */
export function observeLibrary(tasks: LibraryTask[], encoder = new HashingTextEncoder()): LibraryObservations {
  if (tasks.length < 2) {
    throw new LibraryError(`the library holds ${tasks.length} task(s); the observations compare pairs of tasks`, 'add at least one more task folder');
  }
  for (const t of tasks) assertFiniteLibraryAdapter(t.adapter, `task '${t.name}'`);
  const descVec = tasks.map((t) => {
    const v = new Float64Array(encoder.dim);
    for (const d of t.descriptions) encoder.vector(d).forEach((x, i) => (v[i] += x));
    return v;
  });
  const pairs: TaskPair[] = [];
  for (let i = 0; i < tasks.length; i++) {
    for (let j = i + 1; j < tasks.length; j++) {
      const byName = new Map(tasks[j].adapter.modules.map((m) => [m.name, m]));
      const mods = tasks[i].adapter.modules.filter((m) => byName.has(m.name));
      pairs.push({
        a: tasks[i].name,
        b: tasks[j].name,
        description: cosine([[descVec[i], descVec[j]]]),
        deltaW: mean(mods.map((m) => lowRankCosineFloat64(m, byName.get(m.name)!))),
        factors: mean(mods.map((m) => factorCosine(m, byName.get(m.name)!))),
      });
    }
  }
  const entropies = new Map<string, number[]>();
  for (const task of tasks) {
    const layout = layoutOf(task.adapter, `task '${task.name}'`);
    const T = layout.moduleTypes.length;
    const byName = new Map(task.adapter.modules.map((m) => [m.name, m]));
    layout.modulePaths.forEach((path, p) => {
      const type = layout.moduleTypes[p % T].name;
      const list = entropies.get(type) ?? [];
      list.push(spectralEntropyOfValues(lowRankSingularValuesFloat64(byName.get(path)!)));
      entropies.set(type, list);
    });
  }
  const d = pairs.map((p) => p.description);
  return {
    pairs,
    correlation: {
      deltaW: pearson(
        d,
        pairs.map((p) => p.deltaW),
      ),
      factors: pearson(
        d,
        pairs.map((p) => p.factors),
      ),
    },
    entropyByModuleType: [...entropies].map(([moduleType, xs]) => {
      const m = mean(xs);
      return { moduleType, mean: m, std: Math.sqrt(mean(xs.map((x) => (x - m) ** 2))), count: xs.length };
    }),
  };
}
