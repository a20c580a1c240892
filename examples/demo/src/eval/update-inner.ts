// The Gram of adapters' weight updates, <dW_a, dW_b>_F summed over modules, from their factors (never dense).
import { updateInner } from '@loragen/core';
import type { LoraAdapter } from '@loragen/lora-io';

/** The Gram of the adapters' updates, [n, n] row-major. */
export function updateGram(adapters: readonly LoraAdapter[]): Float64Array {
  const n = adapters.length;
  const g = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) g[i * n + j] = g[j * n + i] = updateInner(adapters[i], adapters[j]);
  return g;
}
