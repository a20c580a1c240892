// Word-dropout variants of the descriptions (diffusion.descriptionVariants): what they hold, that a seed fixes
// them, and that the config refuses bad values.
import { withWordDropoutVariants } from '../src/training/description-variants';
import { resolveConfig } from '../src/config/resolve-config';

const library = [
  ['Does the sequence contain the digit 3?', 'Say yes when at least one three is present.'],
  ['Is the digit 3 missing from the sequence?'],
];

describe('withWordDropoutVariants', () => {
  it("keeps each task's descriptions first, then count variants of each, made only of its words in order", () => {
    const out = withWordDropoutVariants(library, { count: 5, wordDropout: 0.4 }, 7);
    expect(out.map((t) => t.length)).toEqual([2 + 2 * 5, 1 + 5]);
    library.forEach((task, t) => {
      expect(out[t].slice(0, task.length)).toEqual(task);
      task.forEach((text, k) => {
        const words = text.split(' ');
        for (const variant of out[t].slice(task.length + k * 5, task.length + (k + 1) * 5)) {
          const kept = variant.split(' ');
          expect(kept.length).toBeGreaterThanOrEqual(1);
          // a subsequence of the description's words
          let at = 0;
          for (const w of kept) {
            const i = words.indexOf(w, at);
            expect(i).toBeGreaterThanOrEqual(at);
            at = i + 1;
          }
        }
      });
    });
    // some words are actually dropped at 0.4, and not every variant is the same
    const variants = out[0].slice(2);
    expect(variants.some((v) => v.split(' ').length < library[0][0].split(' ').length)).toBe(true);
    expect(new Set(variants).size).toBeGreaterThan(1);
  });

  it('is fixed by the seed, returns the library itself for count 0 and copies for dropout 0', () => {
    const opts = { count: 3, wordDropout: 0.5 };
    expect(withWordDropoutVariants(library, opts, 1)).toEqual(withWordDropoutVariants(library, opts, 1));
    expect(withWordDropoutVariants(library, opts, 1)).not.toEqual(withWordDropoutVariants(library, opts, 2));
    expect(withWordDropoutVariants(library, { count: 0, wordDropout: 0.5 }, 1)).toBe(library);
    expect(withWordDropoutVariants(library, { count: 2, wordDropout: 0 }, 1)[1]).toEqual(Array(3).fill(library[1][0]));
  });

  it('is off by default and refuses a dropout of 1 or a negative count', () => {
    expect(resolveConfig({}).diffusion.descriptionVariants).toEqual({ count: 0, wordDropout: 0.3 });
    expect(() => resolveConfig({ diffusion: { descriptionVariants: { count: 2, wordDropout: 1 } } })).toThrow(/wordDropout/);
    expect(() => resolveConfig({ diffusion: { descriptionVariants: { count: -1 } } })).toThrow(/count/);
  });
});
