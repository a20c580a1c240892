// Adapters as weight updates: dW = scaling * B A per adapted base weight, and merging them into the base.
import type { LoraAdapter } from '@loragen/lora-io';
import type { WeightTable } from '../model/parameters';
import { baseWeightName } from './adapter-naming';

/** Weight updates by base weight name, each [dOut, dIn] row-major. */
export type WeightDeltas = Map<string, Float32Array>;

/** dW = scaling * B A of every module of `adapter`, keyed by the base weight it updates. */
export function adapterDeltas(adapter: LoraAdapter): WeightDeltas {
  const deltas: WeightDeltas = new Map();
  for (const m of adapter.modules) {
    const delta = new Float32Array(m.dOut * m.dIn);
    for (let o = 0; o < m.dOut; o++) {
      for (let k = 0; k < m.rank; k++) {
        const b = m.scaling * m.B[o * m.rank + k];
        if (b === 0) continue;
        const row = o * m.dIn;
        const aRow = k * m.dIn;
        for (let i = 0; i < m.dIn; i++) delta[row + i] += b * m.A[aRow + i];
      }
    }
    deltas.set(baseWeightName(m.name), delta);
  }
  return deltas;
}

/** The element-wise mean of several adapters' updates (the `average-lora` baseline); all must share one layout. */
export function meanDeltas(all: readonly WeightDeltas[]): WeightDeltas {
  if (all.length === 0) throw new RangeError('meanDeltas needs at least one adapter');
  const mean: WeightDeltas = new Map();
  for (const [name, first] of all[0]) {
    const sum = new Float32Array(first.length);
    for (const deltas of all) {
      const d = deltas.get(name);
      if (!d || d.length !== first.length) throw new RangeError(`adapters differ at '${name}': average only adapters of one layout`);
      for (let i = 0; i < sum.length; i++) sum[i] += d[i];
    }
    mean.set(
      name,
      sum.map((x) => x / all.length),
    );
  }
  return mean;
}

/** A copy of the base weights with the updates added (a merged adapter). */
export function mergeDeltas(base: WeightTable, deltas: WeightDeltas): WeightTable {
  const merged: WeightTable = new Map(base);
  for (const [name, delta] of deltas) {
    const w = base.get(name);
    if (!w) throw new RangeError(`the adapter updates '${name}', which the base model does not have`);
    if (w.values.length !== delta.length) {
      throw new RangeError(`the update of '${name}' has ${delta.length} values, the weight [${w.shape}] has ${w.values.length}`);
    }
    merged.set(name, { shape: w.shape, values: w.values.map((x, i) => x + delta[i]) });
  }
  return merged;
}
