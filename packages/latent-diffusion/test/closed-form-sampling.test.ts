// The strongest check of every convention: with the exact optimal denoiser for Gaussian data, a correct sampler
// must reproduce the data's per-dimension mean and standard deviation, and a wrong convention must not.
import { activateBackend, describeEachBackend } from '@loragen/test-utils';
import { createSchedule, sample, type NoiseSchedule, type SampleOptions } from '../src';
import { gaussianData, gaussianOracle, momentErrors, type OracleKind } from './helpers/gaussian-oracle';

const SAMPLES = 4000;
const data = gaussianData(8); // sigma from 0.2 to 0.8, mu from -1 to 1
const MEAN_TOLERANCE_IN_SIGMA = 0.08;
const STD_RELATIVE_TOLERANCE = 0.06;

async function errorsOf(schedule: NoiseSchedule, oracle: OracleKind, options: Pick<SampleOptions, 'sampler' | 'steps' | 'spacing' | 'prediction'>) {
  const denoiser = gaussianOracle(data, schedule, oracle);
  const x = await sample({ ...options, denoiser, schedule, shape: [SAMPLES, data.mu.length], seed: 2024 });
  try {
    return await momentErrors(x, data);
  } finally {
    x.dispose();
    denoiser.dispose();
  }
}

function withinTolerance(e: { meanErrorInSigma: number; stdRelativeError: number }): boolean {
  return e.meanErrorInSigma <= MEAN_TOLERANCE_IN_SIGMA && e.stdRelativeError <= STD_RELATIVE_TOLERANCE;
}

const schedules = {
  linear: createSchedule({ kind: 'linear', timesteps: 1000, betaStart: 1e-4, betaEnd: 0.02 }),
  cosine: createSchedule({ kind: 'cosine', timesteps: 1000 }),
};

const samplers = [
  { sampler: 'ddim', steps: 250 },
  { sampler: 'dpmpp-2m', steps: 20 },
  { sampler: 'ddpm', steps: 1000 },
] as const;

// The full matrix (1,270 denoiser calls on 4,000 x 8 a schedule) runs on wasm, the fast backend; every backend
// runs the few-step check below, and the cross-backend test pins them to the same numbers.
describe('closed-form Gaussian sampling [wasm]', () => {
  beforeAll(() => activateBackend('wasm'));

  for (const [name, schedule] of Object.entries(schedules)) {
    for (const options of samplers) {
      test(`${name} schedule, ${options.sampler} ${options.steps} steps: means within 0.08 sigma, std within 6%`, async () => {
        const e = await errorsOf(schedule, 'v', options);
        expect(e.meanErrorInSigma).toBeLessThanOrEqual(MEAN_TOLERANCE_IN_SIGMA);
        expect(e.stdRelativeError).toBeLessThanOrEqual(STD_RELATIVE_TOLERANCE);
      });

      test(`${name} schedule, ${options.sampler}: the sign-flipped v convention fails the same check`, async () => {
        expect(withinTolerance(await errorsOf(schedule, 'v-sign-flipped', options))).toBe(false);
      });
    }
  }

  test('epsilon prediction with the optimal epsilon-predictor passes; read as v it fails', async () => {
    const options = { sampler: 'dpmpp-2m', steps: 20 } as const;
    expect(withinTolerance(await errorsOf(schedules.linear, 'epsilon', { ...options, prediction: 'epsilon' }))).toBe(true);
    expect(withinTolerance(await errorsOf(schedules.linear, 'epsilon', { ...options, prediction: 'v' }))).toBe(false);
  });

  test('log-SNR spacing is what makes few-step samplers accurate (uniform-in-t spacing is far off)', async () => {
    const logSnr = await errorsOf(schedules.linear, 'v', { sampler: 'dpmpp-2m', steps: 20, spacing: 'log-snr' });
    const uniform = await errorsOf(schedules.linear, 'v', { sampler: 'dpmpp-2m', steps: 20, spacing: 'uniform' });
    expect(logSnr.stdRelativeError).toBeLessThan(0.05);
    expect(uniform.stdRelativeError).toBeGreaterThan(0.15);
  });

  test('zero terminal SNR: v-prediction sampling starts from pure noise and stays accurate', async () => {
    const zero = createSchedule({ kind: 'linear', timesteps: 1000, rescaleZeroTerminalSnr: true });
    const e = await errorsOf(zero, 'v', { sampler: 'dpmpp-2m', steps: 20 });
    expect(withinTolerance(e)).toBe(true);
  });
});

describeEachBackend('closed-form Gaussian sampling, few steps', (backend) => {
  test('DPM-Solver++(2M), 20 steps, linear schedule passes the moment check', async () => {
    const e = await errorsOf(schedules.linear, 'v', { sampler: 'dpmpp-2m', steps: 20 });
    expect(e.meanErrorInSigma).toBeLessThanOrEqual(MEAN_TOLERANCE_IN_SIGMA);
    expect(e.stdRelativeError).toBeLessThanOrEqual(STD_RELATIVE_TOLERANCE);
  });

  test('the same seed gives the same samples as on the cpu backend', async () => {
    const run = async () => {
      const denoiser = gaussianOracle(data, schedules.cosine, 'v');
      const x = await sample({ denoiser, schedule: schedules.cosine, shape: [64, 8], sampler: 'ddpm', steps: 50, seed: 5 });
      const values = await x.data();
      x.dispose();
      denoiser.dispose();
      return values;
    };
    const here = await run();
    await activateBackend('cpu');
    let onCpu: Awaited<ReturnType<typeof run>>;
    try {
      onCpu = await run();
    } finally {
      await activateBackend(backend);
    }
    let worst = 0;
    for (let i = 0; i < here.length; i++) worst = Math.max(worst, Math.abs(here[i] - onCpu[i]));
    expect(worst).toBeLessThan(1e-3);
  });
});
