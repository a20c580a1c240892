import type { Tensor } from '@tensorflow/tfjs-core';

/**
 * A LoRA update dW = B A in factored form (PEFT layout), batched over leading position dimensions:
 * `A` is [..., r, dIn] and `B` is [..., dOut, r]. dW is never formed.
 */
export interface LowRankFactors {
  A: Tensor;
  B: Tensor;
}

/** How per-position losses are combined: averaged, summed, or returned one per position. */
export type LossReduction = 'mean' | 'sum' | 'none';

/** Options of {@link angularLoss} and {@link denseAngularLoss}. */
export interface AngularLossOptions {
  /** @default 'mean' */
  reduction?: LossReduction;
}

/** Options of {@link spectralLoss} and {@link denseSpectralLoss}. */
export interface SpectralLossOptions {
  /**
   * How many leading singular values are compared at each position: a fixed count, or `'energy'`, the
   * smallest k whose cumulative sigma^2 of the TARGET reaches `energyRatio` of its total (chosen per position).
   * When `weights` is a tensor, its last dimension is k.
   * @default 'energy'
   */
  k?: number | 'energy';
  /** Energy fraction for `k: 'energy'`, in (0, 1]. @default 0.85 */
  energyRatio?: number;
  /** Order of the weighted norm, p >= 1. @default 1 */
  p?: number;
  /**
   * Weights omega_i of the gaps, treated as constants: `'energy'` = sigma_i(target) / sum_{j<=k} sigma_j(target),
   * `'uniform'` = 1/k, or a tensor [k] (or [..., k], one row per position).
   * @default 'energy'
   */
  weights?: 'energy' | 'uniform' | Tensor;
  /** @default 'mean' */
  reduction?: LossReduction;
}

/** Options of {@link adapterLoss}: w_ang L_ang + w_spec L_spec with the paper's reference weights. */
export interface AdapterLossOptions {
  /** Weight of the angular loss. @default 1 */
  angularWeight?: number;
  /** Weight of the spectral loss. @default 2 */
  spectralWeight?: number;
  /** Options of the spectral term (its `reduction` is ignored: `reduction` below applies to the sum). */
  spectral?: Omit<SpectralLossOptions, 'reduction'>;
  /** @default 'mean' */
  reduction?: LossReduction;
}
