import type { LoraAdapter } from '@loragen/lora-io';
import { LibraryError } from '../errors';
import { lowRankNorm } from '../linalg/lowrank';
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
}

/**
 * Reads a library (streamed task by task) into per-module-type factor tensors, positions ordered layer-major.
 * @throws LibraryError for DoRA adapters, missing descriptions, fewer than 2 tasks, or adapters whose layout
 *   differs from the first one's (the message names the task and the difference).
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
    const byName = new Map(task.adapter.modules.map((m) => [m.name, m]));
    const T = layout.moduleTypes.length;
    layout.moduleTypes.forEach((spec, t) => {
      const A = new Float32Array(layout!.layers * spec.rank * spec.dIn);
      const B = new Float32Array(layout!.layers * spec.dOut * spec.rank);
      for (let l = 0; l < layout!.layers; l++) {
        const mod = byName.get(own.modulePaths[l * T + t])!;
        A.set(mod.A, l * mod.A.length);
        B.set(mod.B.map((b) => b * mod.scaling), l * mod.B.length);
        energy[t] += lowRankNorm(mod) ** 2;
      }
      parts[t].push({ A, B });
    });
    taskNames.push(task.name);
    descriptions.push(task.descriptions);
  }
  if (!layout || taskNames.length < 2) {
    throw new LibraryError(`the library holds ${taskNames.length} task(s); LoRAGen needs at least 2`, 'add more task folders, each with an adapter and descriptions');
  }
  const count = taskNames.length * layout.layers;
  const normalisers = energy.map((e) => Math.sqrt(e / count) || 1);
  const factors = parts.map((list, t) => {
    const A = concat(list.map((p) => p.A));
    const B = concat(list.map((p) => p.B));
    for (let i = 0; i < B.length; i++) B[i] /= normalisers[t];
    return { A, B };
  });
  return { layout, taskNames, descriptions, factors, normalisers };
}

function concat(arrays: Float32Array[]): Float32Array {
  const out = new Float32Array(arrays.reduce((n, a) => n + a.length, 0));
  let o = 0;
  for (const a of arrays) {
    out.set(a, o);
    o += a.length;
  }
  return out;
}
