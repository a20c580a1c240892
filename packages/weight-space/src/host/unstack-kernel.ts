import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { KernelHeap } from './heap';

/**
 * x [G, ...] as G tensors [...], each a copy of its contiguous block. tf.unstack runs G Slice kernels, and
 * tfjs-wasm's Slice copies its whole input out of the heap each time (G copies of x for G outputs); this copies each
 * block once, inside the heap.
 */
export function unstackKernel(heap: KernelHeap, [x]: TensorInfo[]): void {
  const [groups, ...rest] = x.shape;
  const size = rest.reduce((n, d) => n * d, 1);
  const from = heap.input(x) / 4;
  for (let g = 0; g < groups; g++) {
    const to = heap.output(rest) / 4;
    heap.f32().copyWithin(to, from + g * size, from + (g + 1) * size);
  }
}
