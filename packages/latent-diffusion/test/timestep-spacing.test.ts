import { createSchedule, LatentDiffusionError, samplingTimesteps } from '../src';

const lambda = (abar: number) => 0.5 * Math.log(abar / (1 - abar));

describe('samplingTimesteps', () => {
  const linear = createSchedule({ kind: 'linear', timesteps: 1000 });

  test('uniform: evenly spaced integers from T-1 to 0', () => {
    expect(samplingTimesteps(linear.alphasCumprod64, 5, 'uniform')).toEqual([999, 749, 500, 250, 0]);
  });

  test('log-snr: from T-1 to 0 with nearly equal log-SNR gaps', () => {
    const ts = samplingTimesteps(linear.alphasCumprod64, 20, 'log-snr');
    expect(ts[0]).toBe(999);
    expect(ts[19]).toBe(0);
    const gaps = ts.slice(1).map((t, i) => lambda(linear.alphasCumprod64[t]) - lambda(linear.alphasCumprod64[ts[i]]));
    const ideal = (lambda(linear.alphasCumprod64[0]) - lambda(linear.alphasCumprod64[999])) / 19;
    // Integer timesteps cannot hit the grid exactly; the coarsest point (near t = 0) is one step of the schedule.
    for (const g of gaps.slice(0, 15)) expect(Math.abs(g - ideal) / ideal).toBeLessThan(0.1);
  });

  test('every sequence is strictly decreasing, even when steps is close to T', () => {
    const cosine = createSchedule({ kind: 'cosine', timesteps: 60 });
    for (const n of [2, 30, 59, 60]) {
      for (const spacing of ['uniform', 'log-snr'] as const) {
        const ts = samplingTimesteps(cosine.alphasCumprod64, n, spacing);
        expect(ts).toHaveLength(n);
        expect(ts[0]).toBe(59);
        expect(ts[n - 1]).toBe(0);
        for (let i = 1; i < n; i++) expect(ts[i]).toBeLessThan(ts[i - 1]);
      }
    }
  });

  test('zero terminal SNR (lambda = -Infinity at T-1) still gives a finite grid starting at T-1', () => {
    const zero = createSchedule({ kind: 'linear', timesteps: 1000, rescaleZeroTerminalSnr: true });
    const ts = samplingTimesteps(zero.alphasCumprod64, 10, 'log-snr');
    expect(ts[0]).toBe(999);
    expect(ts[1]).toBeLessThan(999);
  });

  test('rejects step counts the schedule cannot provide', () => {
    expect(() => samplingTimesteps(linear.alphasCumprod64, 1001, 'uniform')).toThrow(LatentDiffusionError);
    expect(() => samplingTimesteps(linear.alphasCumprod64, 1, 'log-snr')).toThrow(/steps must be an integer in \[2, 1000\]/);
  });
});
