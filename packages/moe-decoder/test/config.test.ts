import { seededNormals } from '@loragen/test-utils';
import * as tf from '@tensorflow/tfjs';
import { DecoderConfigError, ModuleAwareMoEDecoder, MoeDecoderError, SharedMLPDecoder } from '../src';
import { gemmaLike } from './helpers/layouts';

describe('config validation', () => {
  const base = { ...gemmaLike, latentDim: 8, expertHidden: 8, random: seededNormals(0) };

  it.each([
    ['topK above numExperts', { numExperts: 2, topK: 3 }, /topK \(3\) exceeds numExperts \(2\)/],
    ['a non-integer layer count', { layers: 1.5 }, /layers must be a positive integer, got 1.5/],
    ['a zero rank', { modules: [{ name: 'q', dIn: 4, dOut: 4, rank: 0 }] }, /modules\['q'\]\.rank/],
    ['duplicate module names', { modules: [gemmaLike.modules[0], gemmaLike.modules[0]] }, /'q_proj' appears twice/],
    ['no modules', { modules: [] }, /at least one module type/],
    ['a non-positive temperature', { temperature: 0 }, /temperature must be positive/],
    ['an unknown head', { head: 'lowrank' as 'direct' }, /head must be 'direct' or 'factorised'/],
    ['a negative balance weight', { balanceLoss: { weight: -1 } }, /balanceLoss.weight/],
  ])('rejects %s with a DecoderConfigError', (_, change, message) => {
    expect(() => new ModuleAwareMoEDecoder({ ...base, ...change })).toThrow(DecoderConfigError);
    expect(() => new ModuleAwareMoEDecoder({ ...base, ...change })).toThrow(message);
  });

  it('a missing or malformed random source is a DecoderConfigError that says what replaced seed', () => {
    const { random: _, ...noRandom } = base;
    expect(() => new ModuleAwareMoEDecoder(noRandom as typeof base)).toThrow(DecoderConfigError);
    expect(() => new SharedMLPDecoder({ ...noRandom, seed: 3 } as unknown as typeof base)).toThrow(/seed 3 is no longer read.*SeededRng/);
    expect(() => new ModuleAwareMoEDecoder({ ...base, random: {} as typeof base.random })).toThrow(/normals\(count, std\)/);
  });

  it('SharedMLPDecoder validates the same module list', () => {
    expect(() => new SharedMLPDecoder({ ...base, modules: [] })).toThrow(DecoderConfigError);
  });

  it('decode names the expected latent shape when z does not match, and rejects a negative step', () => {
    const decoder = new ModuleAwareMoEDecoder(base);
    const z = tf.zeros([1, 5, 8]) as tf.Tensor3D;
    expect(() => decoder.decode(z)).toThrow(MoeDecoderError);
    expect(() => decoder.decode(z)).toThrow(/\[batch, 6, 8\].*got \[1, 5, 8\]/);
    const good = tf.zeros([1, 6, 8]) as tf.Tensor3D;
    expect(() => decoder.decode(good, { step: -1 })).toThrow(/step must be >= 0/);
    tf.dispose([z, good]);
    decoder.dispose();
  });
});

describe('router temperature', () => {
  it('anneals linearly from start to end over the schedule, then stays at end', () => {
    const decoder = new ModuleAwareMoEDecoder({ random: seededNormals(0), ...gemmaLike, latentDim: 4 });
    const expected: [number, number][] = [
      [0, 1.5],
      [500, 1.425],
      [2000, 1.2],
      [5000, 1.2],
    ];
    for (const [step, tau] of expected) expect(decoder.temperature(step)).toBeCloseTo(tau, 12);
    expect(decoder.temperature()).toBe(1.2);
    decoder.dispose();
  });

  it('a fixed temperature is used at every step', () => {
    const decoder = new ModuleAwareMoEDecoder({ random: seededNormals(0), ...gemmaLike, latentDim: 4, temperature: 0.7 });
    expect([decoder.temperature(0), decoder.temperature(10_000)]).toEqual([0.7, 0.7]);
    decoder.dispose();
  });
});
