import * as tf from '@tensorflow/tfjs';

/**
 * Median wall time of `fn` in ms over `reps` runs after `warmup` runs. `fn` must read a
 * result back (await data()) so that queued GPU work is inside the measurement.
 */
export async function medianMs(fn: () => Promise<unknown>, reps: number, warmup = 1): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

/** Small seeded uniform noise (deterministic inputs across backends and machines). */
export function seededTensor(shape: number[], seed: number, scale = 0.02): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = ((s >>> 0) / 4294967296 - 0.5) * 2 * scale;
  }
  return tf.tensor(out, shape);
}
