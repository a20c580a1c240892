import { seededNormals, seededUniform } from '@loragen/test-utils';
import { GaussianRng, LatentDiffusionError, SeededRng, type RngAlgorithm } from '../src';

describe('SeededRng', () => {
  test('the same seed gives the same stream; another seed a different one', () => {
    expect(Array.from(new SeededRng(7).normals(5))).toEqual(Array.from(new SeededRng(7).normals(5)));
    expect(new SeededRng(7).normals(3)[0]).not.toBe(new SeededRng(8).normals(3)[0]);
  });

  // The first draws of seed 5 of the three generators this one replaced, recorded from their code before they were
  // merged (2026-12-06): latent-diffusion's SeededRng, @loragen/core's Prng and moe-decoder's mulberry32 +
  // gaussianArray. Equal to the last bit.
  test("'xoshiro128**' continues latent-diffusion's former GaussianRng bit for bit", () => {
    const g = new SeededRng(5);
    expect([g.uniform(), g.uniform()]).toEqual([0.8421442607650533, 0.8309697400545701]);
    expect(Array.from(g.normals(3))).toEqual([-0.10188250243663788, 0.9653478860855103, -0.03791714832186699]);
    expect(Array.from(g.normals(2))).toEqual([0.15583162009716034, 0.6619604825973511]);
  });

  test("'xoshiro128**-cosine' continues @loragen/core's former Prng bit for bit", () => {
    const p = new SeededRng(5, { algorithm: 'xoshiro128**-cosine' });
    expect([p.uniform(), p.uniform()]).toEqual([0.842144260648638, 0.8309697399381548]);
    expect(Array.from(p.normals(3))).toEqual([-0.1468600481748581, -0.034975070506334305, 0.4070415496826172]);
    expect([p.int(10), p.int(1000)]).toEqual([8, 76]);
    expect(Array.from(p.uniforms(2, 0.5))).toEqual([-0.08838910609483719, -0.01117016188800335]);
    expect(p.getState()).toEqual({ algorithm: 'xoshiro128**-cosine', words: [557378151, 3067034541, 1457093895, 2383671470] });
  });

  test("'mulberry32' continues moe-decoder's former initialiser bit for bit, std scaling the radius", () => {
    const m = new SeededRng(5, { algorithm: 'mulberry32' });
    expect([m.uniform(), m.uniform()]).toEqual([0.6897749109193683, 0.7727432732935995]);
    expect(Array.from(m.normals(3))).toEqual([-0.5038217306137085, -0.49242138862609863, -0.3530770242214203]);
    expect(Array.from(m.normals(2, 0.3))).toEqual([-0.4622561037540436, 0.124574676156044]);
  });

  test.each<RngAlgorithm>(['xoshiro128**', 'xoshiro128**-cosine', 'mulberry32'])('%s: a state through JSON continues the stream', (algorithm) => {
    const a = new SeededRng(42, { algorithm });
    a.normals(7);
    const saved = JSON.parse(JSON.stringify(a.getState()));
    const b = SeededRng.fromState(saved);
    expect(b.algorithm).toBe(algorithm);
    expect(Array.from(b.normals(9))).toEqual(Array.from(a.normals(9)));
    const c = new SeededRng(1, { algorithm });
    c.setState(saved);
    expect(c.nextUint32()).toBe(SeededRng.fromState(saved).nextUint32());
  });

  test('bad algorithms, seeds and states are typed errors that say what to pass', () => {
    expect(() => new SeededRng(1, { algorithm: 'pcg' as RngAlgorithm })).toThrow(LatentDiffusionError);
    expect(() => new SeededRng(NaN)).toThrow(/finite/);
    expect(() => SeededRng.fromState({ algorithm: 'x' } as never)).toThrow(/names its algorithm/);
    expect(() => new SeededRng(1).setState({ algorithm: 'mulberry32', words: [3] })).toThrow(/fromState/);
    expect(() => SeededRng.fromState({ algorithm: 'xoshiro128**', words: [1, 2, 3] })).toThrow(/4 unsigned 32-bit/);
    expect(() => SeededRng.fromState({ algorithm: 'mulberry32', words: [-1] })).toThrow(LatentDiffusionError);
    expect(() => SeededRng.fromState({ algorithm: 'xoshiro128**', words: [0, 0, 0, 0] })).toThrow(/all-zero/);
  });

  test('uniforms lie in (0, 1) and normals have mean 0, variance 1, kurtosis 3', () => {
    const rng = new SeededRng(123);
    for (let i = 0; i < 10000; i++) {
      const u = rng.uniform();
      expect(u > 0 && u < 1).toBe(true);
    }
    for (const algorithm of ['xoshiro128**', 'xoshiro128**-cosine', 'mulberry32'] as const) {
      const n = 200000;
      const x = new SeededRng(123, { algorithm }).normals(n);
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
    }
  });

  test.each<RngAlgorithm>(['xoshiro128**', 'xoshiro128**-cosine', 'mulberry32'])(
    "%s: normalFloat64() is normal()'s draw in float64, sqrt(-2 ln u1) cos(2 pi u2) of the generator's uniforms",
    (algorithm) => {
      const wide = new SeededRng(11, { algorithm });
      const narrow = new SeededRng(11, { algorithm });
      const uniforms = new SeededRng(11, { algorithm });
      for (let i = 0; i < 50; i++) {
        const x = wide.normalFloat64();
        expect(narrow.normal()).toBe(Math.fround(x));
        const u1 = uniforms.uniform();
        const u2 = uniforms.uniform();
        // the centred generator's uniforms never reach 0 or 1 and are taken as they are; the others' as 1 - u
        expect(x).toBe(Math.sqrt(-2 * Math.log(algorithm === 'xoshiro128**' ? u1 : 1 - u1)) * Math.cos(2 * Math.PI * u2));
      }
      expect(wide.getState()).toEqual(narrow.getState());
    },
  );

  test('an odd count still fills every entry; normal() is one draw', () => {
    const x = new SeededRng(1).normals(7);
    expect(x.every((v) => Number.isFinite(v) && v !== 0)).toBe(true);
    expect(new SeededRng(1).normal()).toBe(x[0]);
  });
});

describe("the test helpers' seeded streams", () => {
  test("are SeededRng's 'mulberry32' streams", () => {
    const rng = new SeededRng(9, { algorithm: 'mulberry32' });
    const uniform = seededUniform(9);
    expect([uniform(), uniform()]).toEqual([rng.uniform(), rng.uniform()]);
    expect(Array.from(seededNormals(9).normals(5, 0.5))).toEqual(Array.from(new SeededRng(9, { algorithm: 'mulberry32' }).normals(5, 0.5)));
  });

  test('GaussianRng, the deprecated name, is SeededRng', () => {
    expect(GaussianRng).toBe(SeededRng);
  });
});
