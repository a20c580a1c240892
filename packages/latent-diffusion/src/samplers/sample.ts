// The sampling loop shared by every sampler: start from seeded noise at t = T-1, evaluate the (guided) denoiser
// at each chosen timestep, let the solver move to the next noise level, and end on clean data (abar = 1).
import * as tf from '@tensorflow/tfjs-core';
import { LatentDiffusionError, SamplingAbortedError } from '../errors';
import { epsFromX0, x0FromPrediction } from '../objectives/conversions';
import { SeededRng } from '../random/seeded-rng';
import { ddimSolver } from './ddim';
import { ddpmSolver } from './ddpm';
import { dpmSolverPp2mSolver } from './dpm-solver-pp-2m';
import { guidedPrediction, preparedGuidedPrediction } from './guidance';
import type { Solver } from './solver';
import { samplingTimesteps } from './timestep-spacing';
import type { SampleOptions, SamplerKind, SamplingLoop } from './types';

const DEFAULT_STEPS: Record<SamplerKind, (T: number) => number> = {
  ddpm: (T) => T,
  ddim: (T) => Math.min(50, T),
  'dpmpp-2m': (T) => Math.min(20, T),
};

function makeSolver(o: SampleOptions): Solver {
  switch (o.sampler) {
    case 'ddpm':
      return ddpmSolver();
    case 'ddim':
      return ddimSolver(o.eta ?? 0);
    case 'dpmpp-2m':
      return dpmSolverPp2mSolver();
    default:
      throw new LatentDiffusionError(`sample: unknown sampler '${String(o.sampler)}'; use 'ddpm', 'ddim' or 'dpmpp-2m'`);
  }
}

function validate(o: SampleOptions, abar: ArrayLike<number>): void {
  if (o.shape.length < 1 || o.shape.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new LatentDiffusionError(`sample: shape must be positive integers, batch first; got [${o.shape}]`);
  }
  if (o.cond && o.cond.shape[0] !== o.shape[0]) {
    throw new LatentDiffusionError(`sample: cond has batch ${o.cond.shape[0]} but shape asks for batch ${o.shape[0]}; give one condition a sample`);
  }
  if ((o.prediction ?? 'v') === 'epsilon' && !(abar[abar.length - 1] > 0)) {
    throw new LatentDiffusionError('sample: epsilon prediction cannot recover x0 at zero terminal SNR (abar = 0); use v prediction');
  }
  if (o.eta !== undefined && !(o.eta >= 0)) throw new LatentDiffusionError(`sample: eta must be >= 0, got ${o.eta}`);
  if (o.clipX0 !== undefined && !(o.clipX0 > 0)) {
    throw new LatentDiffusionError(`sample: clipX0 must be a positive bound, got ${o.clipX0}`);
  }
}

/** The run as numbers for `PreparedDenoiser.sampleLoop`: every step's x0 conversion and its solver's coefficients. */
function samplingLoop(o: SampleOptions, abar: ArrayLike<number>, timesteps: number[], start: tf.Tensor, noise: () => Float32Array): SamplingLoop {
  const solver = makeSolver(o); // its own instance: a multistep solver's state follows one way of stepping
  const steps = timesteps.map((t, i) => {
    const abarT = abar[t];
    const [a, s] = [Math.sqrt(abarT), Math.sqrt(1 - abarT)];
    const update = solver.coefficients(abarT, i + 1 < timesteps.length ? abar[timesteps[i + 1]] : 1);
    // x0 = a x_t - s v, or (x_t - s eps) / a (see objectives/conversions)
    return (o.prediction ?? 'v') === 'v' ? { x0FromXt: a, x0FromOutput: -s, update } : { x0FromXt: 1 / a, x0FromOutput: -s / a, update };
  });
  return { start, steps, guidanceScale: o.guidanceScale ?? 1, clipX0: o.clipX0, noise };
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * Draws samples by reverse diffusion. Resolves to a tensor of `shape` (the caller disposes it).
 * @example
 * const z = await sample({ denoiser: dit.asDenoiser(), shape: [1, 52, 64], schedule, sampler: 'dpmpp-2m', cond });
 */
export async function sample(options: SampleOptions): Promise<tf.Tensor> {
  const { denoiser, shape, schedule, signal, onProgress } = options;
  const abar = schedule.alphasCumprod64 ?? Float64Array.from(schedule.alphasCumprod);
  validate(options, abar);
  const prediction = options.prediction ?? 'v';
  const solver = makeSolver(options); // also rejects an unknown sampler name
  const steps = options.steps ?? DEFAULT_STEPS[options.sampler](schedule.timesteps);
  const spacing = options.spacing ?? (options.sampler === 'ddpm' ? 'uniform' : 'log-snr');
  const timesteps = samplingTimesteps(abar, steps, spacing);
  const rng = new SeededRng(options.seed ?? Math.floor(Math.random() * 2 ** 32));
  const size = shape.reduce((a, b) => a * b, 1);
  const noise = () => tf.tensor(rng.normals(size), shape);
  const cond = options.cond ?? null;
  const guidanceScale = options.guidanceScale ?? 1;
  const guided = cond !== null && guidanceScale !== 1;

  let x = noise();
  // A denoiser that can precompute its timestep- and condition-only work does it here, once for the whole run.
  const prepared = denoiser.prepare?.({ timesteps, batch: shape[0], conditions: guided ? [cond, null] : [cond] });
  try {
    // the whole run in one call where the denoiser offers it and nothing asks to run between steps
    const whole =
      signal || onProgress || !prepared?.sampleLoop ? null : prepared.sampleLoop(samplingLoop(options, abar, timesteps, x, () => rng.normals(size)));
    if (whole) {
      x.dispose();
      x = whole;
    }
    for (let i = 0; i < timesteps.length && !whole; i++) {
      if (signal) {
        await yieldToEventLoop(); // lets timers and events that abort run between steps
        if (signal.aborted) throw new SamplingAbortedError(i, signal.reason);
      }
      const t = timesteps[i];
      const abarT = abar[t];
      const abarNext = i + 1 < timesteps.length ? abar[timesteps[i + 1]] : 1;
      const next = tf.tidy(() => {
        const a = Math.sqrt(abarT);
        const s = Math.sqrt(1 - abarT);
        const output = prepared
          ? preparedGuidedPrediction(prepared, x, i, guided, guidanceScale)
          : guidedPrediction(denoiser, x, tf.fill([shape[0]], t, 'int32'), cond, guidanceScale);
        let x0 = x0FromPrediction(x, output, a, s, prediction);
        if (options.clipX0 !== undefined) x0 = tf.clipByValue(x0, -options.clipX0, options.clipX0);
        return solver.step({ xt: x, x0, eps: () => epsFromX0(x, x0, a, s), abarT, abarNext, noise });
      });
      x.dispose();
      x = next;
      onProgress?.({ step: i + 1, totalSteps: timesteps.length, t });
    }
  } catch (error) {
    x.dispose();
    throw error;
  } finally {
    solver.dispose();
    prepared?.dispose();
  }
  if (!options.normalizer) return x;
  const out = options.normalizer.denormalize(x);
  x.dispose();
  return out;
}
