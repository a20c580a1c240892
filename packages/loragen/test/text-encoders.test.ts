import * as tf from '@tensorflow/tfjs';
import { expectClose } from '@loragen/test-utils';
import { embedTasks, HashingTextEncoder, PrecomputedTextEncoder, TextEncoderError } from '../src';
import { describeTextEncoder } from '../src/model/model-meta';

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
    const mags = Array.from(v)
      .filter((x) => x !== 0)
      .map(Math.abs)
      .sort((x, y) => y - x);
    expect(mags).toHaveLength(2);
    expect(mags[0] / mags[1]).toBeCloseTo(1 + Math.log(2), 5);
    expect(words.vector('alpha beta')).not.toEqual(words.vector('beta alpha'));
  });
});

describe('HashingTextEncoder.centeredOn', () => {
  const library = ['Say whether the sequence contains a.', 'Say whether the sequence contains b.', 'Count the symbols c in the sequence.'];

  it('embeds sqrt(dim) * (raw - mean) / |raw - mean|, the mean taken over the library', async () => {
    const raw = new HashingTextEncoder({ dim: 64 });
    const centred = HashingTextEncoder.centeredOn(library, { dim: 64 });
    const mean = new Float64Array(64);
    for (const d of library) raw.vector(d).forEach((x, i) => (mean[i] += x / library.length));
    const text = 'Say whether the sequence contains z.';
    const diff = Array.from(raw.vector(text), (x, i) => x - mean[i]);
    const norm = Math.sqrt(diff.reduce((s, x) => s + x * x, 0));
    const expected = diff.map((x) => (Math.sqrt(64) * x) / norm);
    const got = await centred.embed([text]);
    expectClose(await got.data(), expected, { rtol: 1e-5, atol: 1e-6 });
    got.dispose();
  });

  it('separates tasks that raw hashing embeds almost alike', () => {
    const cos = (a: Float32Array, b: Float32Array) => {
      let ab = 0,
        aa = 0,
        bb = 0;
      a.forEach((x, i) => ((ab += x * b[i]), (aa += x * x), (bb += b[i] * b[i])));
      return ab / Math.sqrt(aa * bb);
    };
    const raw = new HashingTextEncoder();
    const centred = HashingTextEncoder.centeredOn(library);
    expect(cos(centred.vector(library[0]), centred.vector(library[1]))).toBeLessThan(cos(raw.vector(library[0]), raw.vector(library[1])) - 0.2);
  });

  it('is saved with a model as options that rebuild it exactly', () => {
    const enc = HashingTextEncoder.centeredOn(library, { dim: 32, charNgrams: [2] });
    const meta = JSON.parse(JSON.stringify(describeTextEncoder(enc)));
    expect(meta.kind).toBe('hashing');
    const rebuilt = new HashingTextEncoder(meta.options);
    expect(Array.from(rebuilt.vector('anything at all'))).toEqual(Array.from(enc.vector('anything at all')));
  });

  it('with idf, weighs each feature by ln((1 + n) / (1 + df)) + 1 and drops features the library never uses', () => {
    // one-word texts, no character n-grams: the features are the words themselves
    const lib = ['red', 'red', 'red', 'blue'];
    const enc = HashingTextEncoder.centeredOn(lib, { dim: 256, charNgrams: [], idf: true });
    expect(enc.idf!.get('w:red')).toBeCloseTo(Math.log(5 / 4) + 1, 12);
    expect(enc.idf!.get('w:blue')).toBeCloseTo(Math.log(5 / 2) + 1, 12);
    // an unknown word adds nothing: the text embeds as if it were absent
    expect(Array.from(enc.vector('blue green'))).toEqual(Array.from(enc.vector('blue')));
    // the raw (uncentred) weights: 'red blue' puts idf(red) and idf(blue) on their buckets before normalising
    const raw = new HashingTextEncoder({ dim: 256, charNgrams: [], idf: enc.options.idf });
    const v = raw.vector('red blue');
    const nonzero = Array.from(v)
      .filter((x) => x !== 0)
      .map(Math.abs)
      .sort();
    const [lo, hi] = [Math.log(5 / 4) + 1, Math.log(5 / 2) + 1];
    expect(nonzero[0]).toBeCloseTo(lo / Math.hypot(lo, hi), 6);
    expect(nonzero[1]).toBeCloseTo(hi / Math.hypot(lo, hi), 6);
  });

  it('with idf, finds a task named in new words by the words it shares with the library', () => {
    const tasks = ['contains', 'missing', 'repeated'].flatMap((op) =>
      ['one', 'two'].map((d) => [
        `Does the sequence of digits have the digit ${d} ${op} in it?`,
        `Answer whether ${d} is ${op} in the list of numbers.`,
      ]),
    );
    const descriptions = tasks.flat();
    const query = 'Hey, tell me: is two missing here?';
    const nearest = (enc: HashingTextEncoder) => {
      const q = enc.vector(query);
      const scores = tasks.map((pair) => pair.map((d) => enc.vector(d)).reduce((s, v) => s + v.reduce((a, x, i) => a + x * q[i], 0), 0));
      return scores.indexOf(Math.max(...scores));
    };
    expect(nearest(HashingTextEncoder.centeredOn(descriptions, { dim: 512, idf: true }))).toBe(3); // missing, two
  });

  it('is saved with its idf and rebuilt exactly', () => {
    const enc = HashingTextEncoder.centeredOn(library, { dim: 32, idf: true });
    const rebuilt = new HashingTextEncoder(JSON.parse(JSON.stringify(describeTextEncoder(enc))).options);
    expect(Array.from(rebuilt.vector('the sequence contains b, twice'))).toEqual(Array.from(enc.vector('the sequence contains b, twice')));
  });

  it('with numberWords, reads number words as numerals (plurals too), saves that and rebuilds exactly', () => {
    const enc = new HashingTextEncoder({ dim: 128, numberWords: true });
    const same = (a: string, b: string) => expect(Array.from(enc.vector(a))).toEqual(Array.from(enc.vector(b)));
    same('Say yes when there is no three at all.', 'Say yes when there is no 3 at all.');
    same('at least two Sevens', 'at least 2 7');
    same('Zero or NINE', '0 or 9');
    // words that only contain a number word are left alone
    expect(Array.from(enc.vector('someone'))).not.toEqual(Array.from(enc.vector('some 1')));
    // off by default: a numeral and its word are different features
    const plain = new HashingTextEncoder({ dim: 128 });
    expect(Array.from(plain.vector('no three'))).not.toEqual(Array.from(plain.vector('no 3')));
    // the IDF table is counted on the normalised words, and the option travels with the saved encoder
    const fitted = HashingTextEncoder.centeredOn(['no three here', 'a 3 there'], { dim: 64, idf: true, numberWords: true });
    expect(fitted.idf!.get('w:3')).toBeCloseTo(Math.log(3 / 3) + 1, 12);
    expect(fitted.idf!.has('w:three')).toBe(false);
    const rebuilt = new HashingTextEncoder(JSON.parse(JSON.stringify(describeTextEncoder(fitted))).options);
    expect(rebuilt.numberWords).toBe(true);
    expect(Array.from(rebuilt.vector('is five there'))).toEqual(Array.from(fitted.vector('is 5 there')));
    expect(() => new HashingTextEncoder({ numberWords: 'yes' as unknown as boolean })).toThrow(TextEncoderError);
  });

  it('refuses a center of the wrong length and an empty library', () => {
    expect(() => new HashingTextEncoder({ dim: 8, center: [1, 2] })).toThrow(TextEncoderError);
    expect(() => HashingTextEncoder.centeredOn([])).toThrow(TextEncoderError);
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
  it("averages the embeddings of each task's descriptions", async () => {
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
