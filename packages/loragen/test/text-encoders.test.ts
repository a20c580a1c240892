import * as tf from '@tensorflow/tfjs';
import { embedTasks, HashingTextEncoder, PrecomputedTextEncoder, TextEncoderError } from '../src';

function cos(a: Float32Array, b: Float32Array): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d += a[i] * b[i];
  return d; // both are unit vectors
}

describe('HashingTextEncoder', () => {
  const enc = new HashingTextEncoder({ dim: 1024 });

  it('is deterministic and L2-normalised', async () => {
    const e = await enc.embed(['Classify the sentiment of a movie review.', 'Count the letters.']);
    const rows = (await e.array()) as number[][];
    e.dispose();
    for (const r of rows) expect(Math.hypot(...r)).toBeCloseTo(1, 6);
    expect(Array.from(enc.vector('Classify the sentiment of a movie review.'))).toEqual(rows[0].map((x) => Math.fround(x)));
    expect(new HashingTextEncoder({ dim: 1024 }).vector('abc')).toEqual(enc.vector('abc'));
  });

  it('puts texts that share words closer than unrelated ones', () => {
    const a = enc.vector('classify the sentiment of a movie review');
    const b = enc.vector('classify the sentiment of a product review');
    const c = enc.vector('sort a list of integers in ascending order');
    expect(cos(a, b)).toBeGreaterThan(0.5);
    expect(cos(a, b)).toBeGreaterThan(cos(a, c) + 0.3);
  });

  it('weights counts sub-linearly (1 + ln c) and sees word order through bigrams', () => {
    // words only, and a dimension large enough that three features do not collide
    const words = new HashingTextEncoder({ dim: 1 << 20, charNgrams: [] });
    const v = words.vector('alpha alpha');
    // features: w:alpha (count 2) and b:alpha alpha (count 1) -> magnitudes 1 + ln 2 and 1
    const mags = Array.from(v).filter((x) => x !== 0).map(Math.abs).sort((x, y) => y - x);
    expect(mags).toHaveLength(2);
    expect(mags[0] / mags[1]).toBeCloseTo(1 + Math.log(2), 5);
    expect(words.vector('alpha beta')).not.toEqual(words.vector('beta alpha'));
  });
});

describe('PrecomputedTextEncoder', () => {
  it('looks vectors up and refuses unknown texts and ragged tables', async () => {
    const enc = new PrecomputedTextEncoder({ a: [1, 2, 3], b: [4, 5, 6] });
    expect(enc.dim).toBe(3);
    const e = await enc.embed(['b', 'a']);
    expect(await e.array()).toEqual([
      [4, 5, 6],
      [1, 2, 3],
    ]);
    e.dispose();
    await expect(enc.embed(['c'])).rejects.toThrow(TextEncoderError);
    await expect(enc.embed(['c'])).rejects.toThrow(/no vector for "c"/);
    expect(() => new PrecomputedTextEncoder({ a: [1, 2], b: [1] })).toThrow(/length 1, the first one 2/);
  });
});

describe('embedTasks', () => {
  it('averages the embeddings of each task\'s descriptions', async () => {
    const enc = new PrecomputedTextEncoder({ a: [1, 0], b: [0, 1], c: [2, 2] });
    const before = tf.memory().numTensors;
    const e = await embedTasks(enc, [['a', 'b'], ['c'], ['a', 'b', 'c']]);
    expect(await e.array()).toEqual([
      [0.5, 0.5],
      [2, 2],
      [1, 1],
    ]);
    e.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
