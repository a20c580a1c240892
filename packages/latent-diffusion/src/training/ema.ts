// Exponential moving average of parameters, with the usual warm-up: early on the decay is (1 + n) / (10 + n)
// (n = updates so far), so the average is not dominated by the random initial weights.
import * as tf from '@tensorflow/tfjs-core';
import { checkParameterShapes } from '../denoiser/parameters';
import { LatentDiffusionError } from '../errors';

export interface EmaOptions {
  /** Decay once warmed up, in [0, 1] (the reference uses 0.995). @default 0.995 */
  decay?: number;
  /** Use min(decay, (1 + n) / (10 + n)) for update n (0-based). @default true */
  warmup?: boolean;
}

/** What a training checkpoint keeps of an EMA: the number of updates and the averages by parameter name. */
export interface EmaState {
  step: number;
  averages: Record<string, tf.Tensor>;
}

/**
 * Averages parameters as they train; sample or evaluate from the averages with {@link withAveragedWeights} or
 * {@link assignAveraged}, and checkpoint it with {@link getState} / {@link setState} so a resumed run averages on
 * exactly as an uninterrupted one.
 */
export class ExponentialMovingAverage {
  private readonly decay: number;
  private readonly warmup: boolean;
  private readonly averages: Record<string, tf.Variable>;
  private updates = 0;

  /** @param variables the parameters to average, by name (e.g. `dit.variables`); copied as the start value. */
  constructor(
    private readonly variables: Record<string, tf.Variable>,
    options: EmaOptions = {},
  ) {
    this.decay = options.decay ?? 0.995;
    if (!(this.decay >= 0 && this.decay <= 1)) {
      throw new LatentDiffusionError(`ExponentialMovingAverage: decay must lie in [0, 1], got ${this.decay}`);
    }
    this.warmup = options.warmup ?? true;
    this.averages = Object.fromEntries(
      Object.entries(variables).map(([k, v]) => {
        const copy = tf.clone(v);
        const average = tf.variable(copy, false);
        copy.dispose(); // the variable holds its own reference to the data
        return [k, average];
      }),
    );
  }

  /** The decay the next `update` will use. */
  get currentDecay(): number {
    return this.warmup ? Math.min(this.decay, (1 + this.updates) / (10 + this.updates)) : this.decay;
  }

  /** Number of `update` calls so far. */
  get step(): number {
    return this.updates;
  }

  /** The averaged parameters by name (owned by the EMA; clone to keep). */
  get averaged(): Readonly<Record<string, tf.Tensor>> {
    return this.averages;
  }

  /** average = d average + (1 - d) current, for every parameter. */
  update(): void {
    const d = this.currentDecay;
    tf.tidy(() => {
      for (const [name, avg] of Object.entries(this.averages)) {
        avg.assign(tf.add(tf.mul(avg, d), tf.mul(this.variables[name], 1 - d)));
      }
    });
    this.updates++;
  }

  /**
   * Runs `fn` with the averaged values in the live parameters (e.g. to sample from EMA weights), then puts the
   * trained values back, also when `fn` throws.
   */
  async withAveragedWeights<T>(fn: () => T | Promise<T>): Promise<T> {
    const saved = Object.fromEntries(Object.entries(this.variables).map(([k, v]) => [k, tf.clone(v)]));
    try {
      for (const [name, v] of Object.entries(this.variables)) v.assign(this.averages[name]);
      return await fn();
    } finally {
      for (const [name, v] of Object.entries(this.variables)) {
        v.assign(saved[name]);
        saved[name].dispose();
      }
    }
  }

  /** Copies the averages into the live parameters for good (e.g. at the end of training, to keep the EMA weights). */
  assignAveraged(): void {
    for (const [name, v] of Object.entries(this.variables)) v.assign(this.averages[name]);
  }

  /** The update count and the averages by name (the EMA's own tensors: serialise or clone them, do not dispose). */
  getState(): { step: number; averages: Readonly<Record<string, tf.Tensor>> } {
    return { step: this.updates, averages: this.averages };
  }

  /**
   * Continues from a saved {@link getState}: copies its averages in and takes its update count.
   * @throws LatentDiffusionError, before changing anything, when a name is missing or extra, a shape differs or the
   *   step is not a count.
   */
  setState(state: EmaState): void {
    if (!Number.isInteger(state.step) || state.step < 0) {
      throw new LatentDiffusionError(`ExponentialMovingAverage.setState: step must be a whole number of updates, got ${state.step}`);
    }
    checkParameterShapes(this.averages, state.averages, 'ExponentialMovingAverage.setState');
    tf.tidy(() => {
      for (const [name, avg] of Object.entries(this.averages)) avg.assign(tf.cast(state.averages[name], avg.dtype));
    });
    this.updates = state.step;
  }

  dispose(): void {
    for (const v of Object.values(this.averages)) v.dispose();
  }
}
