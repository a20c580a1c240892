// The contract between a decoder and whatever trains it (@loragen/core): plain types only,
// so a researcher's own decoder needs nothing from this package but these shapes.
import type * as tf from '@tensorflow/tfjs-core';

/**
 * Where a decoder's initial weights come from: any seeded generator with this method. @loragen/core passes
 * latent-diffusion's `SeededRng` (algorithm 'mulberry32'); this package takes the shape only, so it needs no generator
 * of its own and the same source gives the same decoder on every backend and machine.
 */
export interface NormalSource {
  /** The next `count` draws of N(0, std^2), in order. */
  normals(count: number, std?: number): Float32Array;
}

/** One adapted module type (e.g. `q_proj`), the same at every layer. */
export interface ModuleSpec {
  /** module type name, the key of its factors in {@link DecodeOutput.factors} */
  name: string;
  /** input features of the adapted weight (columns of dW, of A) */
  dIn: number;
  /** output features of the adapted weight (rows of dW, of B) */
  dOut: number;
  /** LoRA rank r */
  rank: number;
}

// FactorPair, RouterStats and DecodeOutput are type aliases, not interfaces: aliases satisfy tf.tidy's
// TensorContainer typing, so a decode body can `return tf.tidy(() => ({ factors, auxLoss }))`.

/** The LoRA factors of one module type at every layer, PEFT layout (dW = B A). */
export type FactorPair = {
  /** [batch, layers, rank, dIn] */
  A: tf.Tensor4D;
  /** [batch, layers, dOut, rank] */
  B: tf.Tensor4D;
};

/** Router diagnostics of one decode call (tensors the caller owns and disposes). */
export type RouterStats = {
  /** f_e: the fraction of routing slots (token x top-K choice) that went to expert e; sums to 1. [numExperts] */
  expertLoad: tf.Tensor1D;
  /** p_e: the router's softmax probability of expert e, averaged over tokens; sums to 1. [numExperts] */
  expertImportance: tf.Tensor1D;
  /** mean over tokens of the entropy (nats) of the full router softmax. */
  routerEntropy: tf.Scalar;
};

/** Options of one {@link LoraDecoder.decode} call. */
export interface DecodeOptions {
  /** whether this call is a training step (decoders with dropout or noise use it) @default false */
  training?: boolean;
  /** the optimiser step, for schedules such as the router temperature @default the end of every schedule */
  step?: number;
}

/** What {@link LoraDecoder.decode} returns; every tensor belongs to the caller. */
export type DecodeOutput = {
  /** factors per module type name */
  factors: Record<string, FactorPair>;
  /** the decoder's own auxiliary loss, already weighted (0 for decoders without one); add it to the training loss */
  auxLoss: tf.Scalar;
  /** router diagnostics, present for routed decoders */
  stats?: RouterStats;
};

/**
 * A decoder from per-position latents to LoRA factors. Positions are layer-major:
 * position p = layer * modules.length + moduleIndex. Implement this to swap in your own decoder.
 */
export interface LoraDecoder {
  /** the module types, in position order */
  readonly modules: readonly ModuleSpec[];
  /** number of layers; positions = layers * modules.length */
  readonly layers: number;
  /** size of one position's latent */
  readonly latentDim: number;
  /** every trainable variable, by a stable name (insertion order is stable too, for optimisers) */
  readonly variables: Record<string, tf.Variable>;
  /** z [batch, positions, latentDim] -> factors, auxiliary loss and stats; differentiable w.r.t. {@link variables} */
  decode(z: tf.Tensor3D, options?: DecodeOptions): DecodeOutput;
  /** copies of every variable's value, by name (the caller disposes them) */
  stateDict(): Record<string, tf.Tensor>;
  /** assigns values by name; throws a {@link StateDictError} on a missing, extra or wrongly shaped entry */
  loadStateDict(state: Record<string, tf.Tensor>): void;
  /** frees the variables and any constants */
  dispose(): void;
}
