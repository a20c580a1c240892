// Noise schedules: beta_t for t = 0..T-1 and what follows from them (abar_t, SNR, log-SNR).
import { LatentDiffusionError } from '../errors';
import { rescaleToZeroTerminalSnr } from './zero-terminal-snr';

export type ScheduleKind = 'linear' | 'cosine' | 'scaled-linear';

export interface ScheduleOptions {
  kind: ScheduleKind;
  /** Number of diffusion steps T; timesteps are integers 0..T-1, 0 the least noisy. */
  timesteps: number;
  /** First beta of the linear and scaled-linear schedules. @default 1e-4 (linear), 8.5e-4 (scaled-linear) */
  betaStart?: number;
  /** Last beta of the linear and scaled-linear schedules. @default 0.02 (linear), 0.012 (scaled-linear) */
  betaEnd?: number;
  /** Offset s of the cosine schedule (Nichol & Dhariwal 2021). @default 0.008 */
  cosineOffset?: number;
  /** Rescale so that abar at t = T-1 is exactly 0 (Lin et al. 2023); needs v-prediction. @default false */
  rescaleZeroTerminalSnr?: boolean;
}

/** A discrete noise schedule. All arrays have length `timesteps`. */
export interface NoiseSchedule {
  readonly kind: ScheduleKind;
  readonly timesteps: number;
  readonly betas: Float64Array;
  /** abar_t = prod_{s<=t} (1 - beta_s), as float32 (what the rest of the project reads). */
  readonly alphasCumprod: Float32Array;
  /** abar_t in float64, which the samplers use for their coefficients. */
  readonly alphasCumprod64: Float64Array;
  /** SNR_t = abar_t / (1 - abar_t). */
  readonly snr: Float64Array;
  /** lambda_t = log(sqrt(abar_t) / sqrt(1 - abar_t)) = log(SNR_t) / 2, decreasing in t. */
  readonly logSnrHalf: Float64Array;
}

// The cosine schedule clips beta at 0.999 so that abar never reaches exactly 0 (Nichol & Dhariwal 2021).
const COSINE_MAX_BETA = 0.999;

function linspace(a: number, b: number, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = n === 1 ? a : a + ((b - a) * i) / (n - 1);
  return out;
}

function makeBetas(o: ScheduleOptions): Float64Array {
  const T = o.timesteps;
  switch (o.kind) {
    case 'linear':
      return linspace(o.betaStart ?? 1e-4, o.betaEnd ?? 0.02, T);
    case 'scaled-linear':
      // Linear in sqrt(beta), as in Stable Diffusion.
      return linspace(Math.sqrt(o.betaStart ?? 8.5e-4), Math.sqrt(o.betaEnd ?? 0.012), T).map((s) => s * s);
    case 'cosine': {
      const s = o.cosineOffset ?? 0.008;
      const f = (t: number): number => Math.cos(((t / T + s) / (1 + s)) * (Math.PI / 2)) ** 2;
      const betas = new Float64Array(T);
      for (let t = 0; t < T; t++) betas[t] = Math.min(1 - f(t + 1) / f(t), COSINE_MAX_BETA);
      return betas;
    }
    default:
      throw new LatentDiffusionError(`createSchedule: unknown kind '${String(o.kind)}'; use 'linear', 'cosine' or 'scaled-linear'`);
  }
}

function validate(o: ScheduleOptions): void {
  if (!Number.isInteger(o.timesteps) || o.timesteps < 2) {
    throw new LatentDiffusionError(`createSchedule: timesteps must be an integer >= 2, got ${o.timesteps}`);
  }
  for (const key of ['betaStart', 'betaEnd'] as const) {
    const v = o[key];
    if (v !== undefined && !(v > 0 && v < 1)) {
      throw new LatentDiffusionError(`createSchedule: ${key} must lie in (0, 1), got ${v}`);
    }
  }
}

/**
 * Builds a noise schedule. Convention: x_t = sqrt(abar_t) x0 + sqrt(1 - abar_t) eps, t in 0..T-1.
 * @example createSchedule({ kind: 'linear', timesteps: 1000 }) // betas 1e-4 -> 0.02
 */
export function createSchedule(options: ScheduleOptions): NoiseSchedule {
  validate(options);
  let betas = makeBetas(options);
  const T = options.timesteps;
  let abar: Float64Array = new Float64Array(T);
  let prod = 1;
  for (let t = 0; t < T; t++) {
    prod *= 1 - betas[t];
    abar[t] = prod;
  }
  if (options.rescaleZeroTerminalSnr) {
    abar = rescaleToZeroTerminalSnr(abar);
    betas = abar.map((a, t) => 1 - a / (t === 0 ? 1 : abar[t - 1]));
  }
  const snr = abar.map((a) => a / (1 - a));
  return {
    kind: options.kind,
    timesteps: T,
    betas,
    alphasCumprod: Float32Array.from(abar),
    alphasCumprod64: abar,
    snr,
    logSnrHalf: snr.map((s) => 0.5 * Math.log(s)),
  };
}
