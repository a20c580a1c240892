// Which integer timesteps a sampler evaluates: `count` of them, strictly decreasing from T-1 to 0.
import { LatentDiffusionError } from '../errors';
import type { TimestepSpacing } from './types';

/** Half log-SNR, lambda = log(sqrt(abar) / sqrt(1 - abar)); -Infinity where abar = 0. */
export function halfLogSnr(abar: number): number {
  return 0.5 * (Math.log(abar) - Math.log1p(-abar));
}

/** Forces a strictly decreasing sequence ending at 0 by nudging collisions (rounding can make neighbours equal). */
function strictlyDecreasing(ts: number[]): number[] {
  const n = ts.length;
  for (let i = n - 1; i >= 0; i--) ts[i] = Math.max(ts[i], n - 1 - i);
  for (let i = 1; i < n; i++) ts[i] = Math.min(ts[i], ts[i - 1] - 1);
  return ts;
}

function uniformInT(T: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => Math.round(((T - 1) * (count - 1 - i)) / (count - 1)));
}

// Below this half log-SNR (SNR < 4e-5) x_t is noise for any data of unit scale: grid points there would be spent
// on nothing (the cosine schedule's last few steps fall from -5 to -10), so the grid starts no lower and the first
// step jumps from T-1 straight to it. The same clip diffusers recommends for cosine schedules.
const LOWEST_USEFUL_HALF_LOG_SNR = -5.1;

function uniformInLogSnr(abar: ArrayLike<number>, count: number): number[] {
  const T = abar.length;
  const lambda = Array.from(abar, halfLogSnr);
  const from = Math.max(lambda[T - 1], LOWEST_USEFUL_HALF_LOG_SNR);
  const to = lambda[0];
  const ts: number[] = [];
  let t = T - 1;
  for (let i = 0; i < count; i++) {
    const target = from + ((to - from) * i) / (count - 1);
    // lambda decreases with t: walk down to the timestep whose lambda is nearest the target.
    while (t > 0 && Math.abs(lambda[t - 1] - target) <= Math.abs(lambda[t] - target)) t--;
    ts.push(t);
  }
  ts[0] = T - 1; // always start from the noisiest step, where x_T ~ N(0, I) is (nearly) exact
  return ts;
}

/** The timesteps to evaluate, from T-1 down to 0. */
export function samplingTimesteps(abar: ArrayLike<number>, count: number, spacing: TimestepSpacing): number[] {
  const T = abar.length;
  if (!Number.isInteger(count) || count < 2 || count > T) {
    throw new LatentDiffusionError(`sample: steps must be an integer in [2, ${T}] for this schedule, got ${count}`);
  }
  const ts = spacing === 'log-snr' ? uniformInLogSnr(abar, count) : uniformInT(T, count);
  return strictlyDecreasing(ts);
}
