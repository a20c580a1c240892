import type { LoraAdapter } from '@loragen/lora-io';

// Values are checked where they enter (library adapters, checkpoints, embeddings, generated updates): one pass
// over the floats, so a NaN is reported with its task, module and tensor instead of poisoning training later.

/** The first non-finite entry of an array and how many there are. */
export interface NonFinite {
  index: number;
  value: number;
  count: number;
  total: number;
}

/** One pass over `values`: the first NaN / Infinity and the number of them, or undefined when all are finite. */
export function findNonFinite(values: ArrayLike<number>): NonFinite | undefined {
  let first = -1;
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    // x - x is 0 for finite x and NaN for NaN and +-Infinity: one comparison per value.
    const x = values[i];
    if (x - x !== 0) {
      if (first < 0) first = i;
      count++;
    }
  }
  return first < 0 ? undefined : { index: first, value: values[first], count, total: values.length };
}

/** `NaN at [1, 3] (2 of 32 values are not finite)`: the flat index as row-major coordinates of `shape`. */
export function describeNonFinite(found: NonFinite, shape: readonly number[]): string {
  const at: number[] = [];
  let rest = found.index;
  for (let d = shape.length - 1; d >= 0; d--) {
    at.unshift(rest % shape[d]);
    rest = Math.floor(rest / shape[d]);
  }
  return `${found.value} at [${at.join(', ')}] (${found.count} of ${found.total} values are not finite)`;
}

/** Every tensor of an adapter holding a non-finite value, as `module 'M', tensor lora_A.weight: NaN at [...]`. */
export function nonFiniteTensors(adapter: LoraAdapter): string[] {
  const found: string[] = [];
  for (const m of adapter.modules) {
    const tensors: [string, ArrayLike<number>, number[]][] = [
      ['lora_A.weight', m.A, [m.rank, m.dIn]],
      ['lora_B.weight', m.B, [m.dOut, m.rank]],
    ];
    if (m.magnitude) tensors.push(['lora_magnitude_vector.weight', m.magnitude, [m.dOut]]);
    for (const [tensor, values, shape] of tensors) {
      const bad = findNonFinite(values);
      if (bad) found.push(`module '${m.name}', tensor ${tensor}: ${describeNonFinite(bad, shape)}`);
    }
  }
  return found;
}

/**
 * Throws `error(message)` when a tensor of `adapter` holds NaN or Infinity; the message starts with `where` (a
 * task or a folder) and names up to three modules and tensors.
 */
export function assertFiniteAdapter(adapter: LoraAdapter, where: string, error: (message: string) => Error): void {
  const found = nonFiniteTensors(adapter);
  if (found.length === 0) return;
  const more = found.length > 3 ? `; and ${found.length - 3} more tensor(s)` : '';
  throw error(`${where} holds non-finite values: ${found.slice(0, 3).join('; ')}${more}`);
}

/**
 * Throws `error(message)` when a row of `rows` ([labels.length, dim], row-major) holds NaN or Infinity, naming the
 * row by its label (a description, say).
 */
export function assertFiniteRows(rows: ArrayLike<number>, dim: number, labels: readonly string[], error: (message: string) => Error): void {
  const bad = findNonFinite(rows);
  if (!bad) return;
  const row = Math.floor(bad.index / dim);
  throw error(`${labels[row]}: ${describeNonFinite(bad, [labels.length, dim])}`);
}
