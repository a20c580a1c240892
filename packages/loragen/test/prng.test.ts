import { Prng } from '../src';

describe('Prng', () => {
  it('repeats a stream from its seed and from a saved state', () => {
    const a = new Prng(42);
    a.normals(17);
    const state = a.getState();
    const next = Array.from({ length: 5 }, () => a.nextUint32());
    const b = Prng.fromState(state);
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(next);
    expect(new Prng(42).normals(8)).toEqual(new Prng(42).normals(8));
    expect(new Prng(43).normals(8)).not.toEqual(new Prng(42).normals(8));
  });

  it('draws uniforms in [0, 1) and normals with mean 0 and variance 1', () => {
    const rng = new Prng(1);
    const n = 100000;
    const z = rng.normals(n);
    const mean = z.reduce((s, x) => s + x, 0) / n;
    const variance = z.reduce((s, x) => s + (x - mean) ** 2, 0) / n;
    // 5 standard errors: 5 / sqrt(n) for the mean, 5 * sqrt(2 / n) for the variance
    expect(Math.abs(mean)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(variance - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
    for (let i = 0; i < 1000; i++) {
      const u = rng.uniform();
      expect(u >= 0 && u < 1).toBe(true);
    }
    const counts = new Array(4).fill(0);
    for (let i = 0; i < 40000; i++) counts[rng.int(4)]++;
    for (const c of counts) expect(Math.abs(c - 10000)).toBeLessThan(500);
  });
});
