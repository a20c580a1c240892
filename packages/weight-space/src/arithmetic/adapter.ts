import type { Tensor } from '@tensorflow/tfjs-core';
import type { Truncation } from '../lowrank/rank-budget';

/** One adapted module as adapter arithmetic sees it: the update scaling * B A, A [r, dIn], B [dOut, r]. */
export interface AdapterModule {
  /** Matches modules across adapters (e.g. PEFT's module path). */
  name: string;
  A: Tensor;
  B: Tensor;
  /** PEFT's alpha / r (or alpha / sqrt(r) with rsLoRA). @default 1 */
  scaling?: number;
}

/** An adapter: named modules (structurally, @loragen/lora-io's adapter with tensors for factors). */
export interface FactoredAdapter {
  modules: AdapterModule[];
}

/** A module of a merged or compressed adapter: scaling 1 (the factors carry the whole update), and what was kept. */
export interface ArithmeticModule extends AdapterModule, Truncation {
  scaling: 1;
  /**
   * Every singular value of the module's exact update (descending, sum of the input ranks of them) where they were
   * computed (`svd`), null for `concat` (exact by construction: energy 1, relative error 0).
   */
  singularValues: Float64Array | null;
}

/** The outcome of {@link merge} or {@link compress}: an adapter again (it can be merged or compressed further). */
export interface ArithmeticResult {
  modules: ArithmeticModule[];
}

/** Options every adapter operation takes. */
export interface ArithmeticProgress {
  /**
   * Most modules handed to one factored SVD call (modules of one shape and ranks are batched): bounds the memory of
   * the stacked copies and sets the progress granularity. @default as many as hold 64 MB of input factors
   */
  modulesPerCall?: number;
  /** Called after each call with modules done and the total. */
  onProgress?: (done: number, total: number) => void;
}
