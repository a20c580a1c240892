import { GaussianRng } from '../src';

describe('GaussianRng', () => {
  test('the same seed gives the same stream; another seed a different one', () => {
    expect(Array.from(new GaussianRng(7).normals(5))).toEqual(Array.from(new GaussianRng(7).normals(5)));
    expect(new GaussianRng(7).normals(3)[0]).not.toBe(new GaussianRng(8).normals(3)[0]);
  });

  test('uniforms lie in (0, 1) and normals have mean 0, variance 1, kurtosis 3', () => {
    const rng = new GaussianRng(123);
    for (let i = 0; i < 10000; i++) {
      const u = rng.uniform();
      expect(u > 0 && u < 1).toBe(true);
    }
    const n = 200000;
    const x = rng.normals(n);
    let m1 = 0;
    let m2 = 0;
    let m4 = 0;
    for (const v of x) {
      m1 += v / n;
      m2 += (v * v) / n;
      m4 += v ** 4 / n;
    }
    // Standard errors at n = 2e5: mean 0.0022, variance 0.0032, fourth moment 0.022 -> about 4.5 sigma bounds.
    expect(Math.abs(m1)).toBeLessThan(0.01);
    expect(Math.abs(m2 - 1)).toBeLessThan(0.015);
    expect(Math.abs(m4 - 3)).toBeLessThan(0.1);
  });

  test('an odd count still fills every entry', () => {
    const x = new GaussianRng(1).normals(7);
    expect(x.every((v) => Number.isFinite(v) && v !== 0)).toBe(true);
  });
});
