import type { LoraAdapter } from '@loragen/lora-io';
import type { Combination } from './library-combinations';
import { LibraryError } from '../errors';
import { lowRankNormFloat64 } from '@loragen/weight-space';
import { assertFiniteAdapter } from './finite';
import { assertSameLayout, layoutOf, type LibraryLayout } from './layout';

/** One task of a LoRA library: its adapter and one or more descriptions of the task. */
export interface LibraryTask {
  name: string;
  descriptions: string[];
  adapter: LoraAdapter;
}

/** A library's factors per module type, at their native shapes, ready for the autoencoder. */
export interface FactorSet {
  layout: LibraryLayout;
  taskNames: string[];
  descriptions: string[][];
  /**
   * Per module type (layout order): A [tasks, layers, rank, dIn] and B [tasks, layers, dOut, rank] with the PEFT
   * scaling and the type's normaliser folded into B, so that B A = dW / normaliser.
   */
  factors: { A: Float32Array; B: Float32Array }[];
  /** Per module type: the RMS of |dW|_F over the library. Stored with the model; generation multiplies it back. */
  normalisers: number[];
  /**
   * Synthetic training tasks whose factors follow the library's in `factors` (config `combinations`); `taskNames`
   * and `descriptions` cover the library's tasks only. @default none
   */
  combinations?: Combination[];
}

const NON_FINITE_HINT = 'the adapter is damaged or its training diverged: retrain it, or move its task folder out of the library';

/** Refuses adapters holding NaN or Infinity, naming `where` (a task), the module and the tensor. */
export function assertFiniteLibraryAdapter(adapter: LoraAdapter, where: string): void {
  assertFiniteAdapter(adapter, where, (message) => new LibraryError(message, NON_FINITE_HINT));
}

function assertGeneratable(task: LibraryTask): void {
  if (task.adapter.config.use_dora || task.adapter.modules.some((m) => m.magnitude)) {
    throw new LibraryError(
      `task '${task.name}' is a DoRA adapter (use_dora); LoRAGen generates plain LoRA only`,
      'remove DoRA adapters from the library, or merge their magnitude into a plain LoRA before adding them',
    );
  }
  if (task.descriptions.length === 0 || task.descriptions.some((d) => typeof d !== 'string' || d.trim() === '')) {
    throw new LibraryError(`task '${task.name}' has no (or an empty) description`, 'give every task at least one non-empty description');
  }
  assertFiniteLibraryAdapter(task.adapter, `task '${task.name}'`);
}

/** One adapter's factors per module type (layout order, layers stacked), PEFT scaling folded into B. */
function adapterFactors(adapter: LoraAdapter, layout: LibraryLayout, modulePaths: string[]): { A: Float32Array; B: Float32Array }[] {
  const byName = new Map(adapter.modules.map((m) => [m.name, m]));
  const T = layout.moduleTypes.length;
  return layout.moduleTypes.map((spec, t) => {
    const A = new Float32Array(layout.layers * spec.rank * spec.dIn);
    const B = new Float32Array(layout.layers * spec.dOut * spec.rank);
    for (let l = 0; l < layout.layers; l++) {
      const mod = byName.get(modulePaths[l * T + t])!;
      A.set(mod.A, l * mod.A.length);
      B.set(
        mod.B.map((b) => b * mod.scaling),
        l * mod.B.length,
      );
    }
    return { A, B };
  });
}

/**
 * Factors of adapters laid out as a library with `layout` (e.g. a library task's own adapter, to encode it),
 * normalised by the library's `normalisers`, in the shape of {@link FactorSet.factors}.
 * @throws LibraryError when an adapter's layout differs from `layout`, or a factor holds NaN or Infinity.
 */
export function factorsOf(adapters: readonly LoraAdapter[], layout: LibraryLayout, normalisers: readonly number[]): FactorSet['factors'] {
  const parts = adapters.map((adapter, i) => {
    assertFiniteLibraryAdapter(adapter, `adapter ${i}`);
    const own = layoutOf(adapter, `adapter ${i}`);
    assertSameLayout(layout, own, `adapter ${i}`);
    return adapterFactors(adapter, layout, own.modulePaths);
  });
  return layout.moduleTypes.map((_, t) =>
    normalised(
      parts.map((p) => p[t]),
      normalisers[t],
    ),
  );
}

/** Concatenates per-adapter factors of one module type and divides B by the type's normaliser. */
function normalised(list: { A: Float32Array; B: Float32Array }[], normaliser: number): { A: Float32Array; B: Float32Array } {
  const A = concat(list.map((p) => p.A));
  const B = concat(list.map((p) => p.B));
  for (let i = 0; i < B.length; i++) B[i] /= normaliser;
  return { A, B };
}

/**
 * Reads a library (streamed task by task) into per-module-type factor tensors, positions ordered layer-major.
 * @throws LibraryError for DoRA adapters, missing descriptions, NaN or Infinity in a factor (named with its task,
 *   module and tensor), fewer than 2 tasks, or adapters whose layout differs from the first one's (the message
 *   names the task and the difference).
 */
export async function buildFactorSet(tasks: Iterable<LibraryTask> | AsyncIterable<LibraryTask>): Promise<FactorSet> {
  let layout: LibraryLayout | undefined;
  const taskNames: string[] = [];
  const descriptions: string[][] = [];
  const parts: { A: Float32Array; B: Float32Array }[][] = [];
  const energy: number[] = [];
  for await (const task of tasks) {
    assertGeneratable(task);
    const own = layoutOf(task.adapter, `task '${task.name}'`);
    if (!layout) {
      layout = own;
      layout.moduleTypes.forEach(() => {
        parts.push([]);
        energy.push(0);
      });
    } else {
      assertSameLayout(layout, own, `task '${task.name}'`);
    }
    adapterFactors(task.adapter, layout, own.modulePaths).forEach((f, t) => parts[t].push(f));
    const byName = new Map(task.adapter.modules.map((m) => [m.name, m]));
    own.modulePaths.forEach((path, p) => (energy[p % layout!.moduleTypes.length] += lowRankNormFloat64(byName.get(path)!) ** 2));
    taskNames.push(task.name);
    descriptions.push(task.descriptions);
  }
  if (!layout || taskNames.length < 2) {
    throw new LibraryError(
      `the library holds ${taskNames.length} task(s); LoRAGen needs at least 2`,
      'add more task folders, each with an adapter and descriptions',
    );
  }
  const count = taskNames.length * layout.layers;
  const normalisers = energy.map((e) => Math.sqrt(e / count) || 1);
  const factors = parts.map((list, t) => normalised(list, normalisers[t]));
  return { layout, taskNames, descriptions, factors, normalisers };
}

/** The arrays end to end. */
export function concat(arrays: Float32Array[]): Float32Array {
  const out = new Float32Array(arrays.reduce((n, a) => n + a.length, 0));
  let o = 0;
  for (const a of arrays) {
    out.set(a, o);
    o += a.length;
  }
  return out;
}
