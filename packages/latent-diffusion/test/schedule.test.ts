import { createSchedule, LatentDiffusionError, rescaleToZeroTerminalSnr } from '../src';

function cumulativeProduct(betas: ArrayLike<number>): number[] {
  // Summed in log space: a different computation from the schedule's running product.
  let logSum = 0;
  return Array.from(betas, (b) => Math.exp((logSum += Math.log1p(-b))));
}

describe('createSchedule', () => {
  test('linear: betas from betaStart to betaEnd, abar their cumulative product', () => {
    const s = createSchedule({ kind: 'linear', timesteps: 1000 });
    expect(s.timesteps).toBe(1000);
    expect(s.alphasCumprod).toBeInstanceOf(Float32Array);
    expect(s.alphasCumprod).toHaveLength(1000);
    for (const t of [0, 1, 500, 999]) expect(s.betas[t]).toBeCloseTo(1e-4 + ((0.02 - 1e-4) * t) / 999, 12);
    const expected = cumulativeProduct(s.betas);
    for (let t = 0; t < 1000; t++) expect(Math.abs(s.alphasCumprod64[t] - expected[t])).toBeLessThan(1e-12);
    // DDPM's widely quoted terminal value for this schedule: abar_999 = 4.036e-5.
    expect(s.alphasCumprod[999]).toBeCloseTo(4.036e-5, 8);
  });

  test('cosine: abar_t = f(t + 1) / f(0), f(u) = cos^2(((u / T + s) / (1 + s)) pi / 2), betas clipped at 0.999', () => {
    const T = 1000;
    const s = createSchedule({ kind: 'cosine', timesteps: T });
    const f = (u: number) => Math.cos(((u / T + 0.008) / 1.008) * (Math.PI / 2)) ** 2;
    for (const t of [0, 10, 250, 500, 900, 990]) expect(s.alphasCumprod64[t]).toBeCloseTo(f(t + 1) / f(0), 10);
    expect(Math.max(...s.betas)).toBeLessThanOrEqual(0.999);
    expect(s.alphasCumprod[T - 1]).toBeGreaterThan(0);
  });

  test('scaled-linear: sqrt(beta) is linear in t', () => {
    const s = createSchedule({ kind: 'scaled-linear', timesteps: 100, betaStart: 0.001, betaEnd: 0.01 });
    const r0 = Math.sqrt(0.001);
    const r1 = Math.sqrt(0.01);
    for (const t of [0, 33, 99]) expect(s.betas[t]).toBeCloseTo((r0 + ((r1 - r0) * t) / 99) ** 2, 12);
  });

  test('snr = abar / (1 - abar) and logSnrHalf = log(snr) / 2', () => {
    const s = createSchedule({ kind: 'linear', timesteps: 50, betaStart: 1e-3, betaEnd: 0.2 });
    for (const t of [0, 25, 49]) {
      const a = s.alphasCumprod64[t];
      expect(s.snr[t]).toBeCloseTo(a / (1 - a), 10);
      expect(s.logSnrHalf[t]).toBeCloseTo(0.5 * Math.log(a / (1 - a)), 10);
    }
  });

  test('zero terminal SNR: last abar exactly 0, first unchanged, sqrt(abar) an affine map of the original', () => {
    const plain = createSchedule({ kind: 'linear', timesteps: 1000 });
    const zero = createSchedule({ kind: 'linear', timesteps: 1000, rescaleZeroTerminalSnr: true });
    expect(zero.alphasCumprod[999]).toBe(0);
    expect(zero.snr[999]).toBe(0);
    expect(zero.alphasCumprod64[0]).toBeCloseTo(plain.alphasCumprod64[0], 14);
    const r = (a: ArrayLike<number>, t: number) => Math.sqrt(a[t]);
    const slope = (r(zero.alphasCumprod64, 0) - r(zero.alphasCumprod64, 500)) / (r(plain.alphasCumprod64, 0) - r(plain.alphasCumprod64, 500));
    for (const t of [100, 700, 999]) {
      expect(r(zero.alphasCumprod64, t)).toBeCloseTo(
        r(zero.alphasCumprod64, 0) - slope * (r(plain.alphasCumprod64, 0) - r(plain.alphasCumprod64, t)),
        10,
      );
    }
    // The betas are re-derived from the rescaled abar, so their product reproduces it.
    const again = cumulativeProduct(zero.betas.slice(0, 999));
    expect(again[998]).toBeCloseTo(zero.alphasCumprod64[998], 10);
    expect(rescaleToZeroTerminalSnr(Float64Array.of(0.9, 0.5, 0.1))[2]).toBe(0);
  });

  test('rejects bad options with a typed error that names the option', () => {
    expect(() => createSchedule({ kind: 'linear', timesteps: 1 })).toThrow(/timesteps must be an integer >= 2/);
    expect(() => createSchedule({ kind: 'linear', timesteps: 10, betaEnd: 1.5 })).toThrow(LatentDiffusionError);
    expect(() => createSchedule({ kind: 'quadratic' as 'linear', timesteps: 10 })).toThrow(/unknown kind 'quadratic'/);
  });
});
