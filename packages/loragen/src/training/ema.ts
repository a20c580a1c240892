import * as tf from '@tensorflow/tfjs';

/**
 * Exponential moving average of a fixed list of variables, with the usual warm-up
 * decay_n = min(decay, (1 + n) / (10 + n)) so early averages are not dominated by the initial weights.
 * Sampling uses the averaged weights (the reference trains an EMA but samples from the raw ones).
 */
export class ParameterEma {
  readonly shadows: tf.Variable[];
  updates = 0;

  constructor(
    private readonly variables: tf.Variable[],
    private readonly decay: number,
  ) {
    this.shadows = variables.map((v) => tf.tidy(() => tf.variable(tf.clone(v), false)));
  }

  update(): void {
    const d = Math.min(this.decay, (1 + this.updates) / (10 + this.updates));
    tf.tidy(() => this.variables.forEach((v, i) => this.shadows[i].assign(tf.add(tf.mul(this.shadows[i], d), tf.mul(v, 1 - d)))));
    this.updates++;
  }

  /** Runs `fn` with the averaged weights swapped in, then puts the trained weights back. */
  async withAveraged<T>(fn: () => Promise<T>): Promise<T> {
    const saved = this.variables.map((v) => tf.clone(v));
    this.variables.forEach((v, i) => v.assign(this.shadows[i]));
    try {
      return await fn();
    } finally {
      this.variables.forEach((v, i) => v.assign(saved[i]));
      tf.dispose(saved);
    }
  }

  dispose(): void {
    tf.dispose(this.shadows);
  }
}
