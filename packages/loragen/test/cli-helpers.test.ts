import { COMMON_OPTIONS, integer, listOf, oneOf, parseOptions, ProgressBar, UsageError } from '../src/node';

// The option parsing and progress bar that `loragen` and the programs built on it (the demo, its benchmark) share.

const USAGE = 'prog [--out DIR] [--seed N] [--backend NAME]';

describe('parseOptions', () => {
  const options = { out: { type: 'string' }, seed: { type: 'string' }, help: COMMON_OPTIONS.help } as const;

  it('parses exactly the options given, strictly', () => {
    const { values } = parseOptions(['--out', 'x', '--seed=3', '-h'], options, USAGE);
    expect(values).toEqual({ out: 'x', seed: '3', help: true });
    expect(parseOptions([], options, USAGE).values).toEqual({ help: false });
  });

  it('turns unknown options, missing values and stray words into UsageErrors whose hint is the usage', () => {
    for (const argv of [['--json'], ['--out'], ['stray']]) {
      let error: unknown;
      try {
        parseOptions(argv, options, USAGE);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(UsageError);
      expect((error as UsageError).hint).toBe(USAGE);
    }
    expect(() => parseOptions(['--json'], options, USAGE)).toThrow(/Unknown option '--json'/);
  });
});

describe('typed option values', () => {
  it('integer: a non-negative integer or the fallback', () => {
    expect(integer('7', 'seed', 1, USAGE)).toBe(7);
    expect(integer(undefined, 'seed', 1, USAGE)).toBe(1);
    expect(integer(undefined, 'seed', undefined, USAGE)).toBeUndefined();
    for (const bad of ['1.5', '-1', 'x', ''])
      expect(() => integer(bad, 'seed', 1, USAGE)).toThrow(new UsageError(`--seed must be a non-negative integer, got '${bad}'`, USAGE));
  });

  it('oneOf: one of the allowed values, or a UsageError that lists them', () => {
    const backends = ['cpu', 'wasm'] as const;
    expect(oneOf('cpu', 'backend', backends, 'wasm', USAGE)).toBe('cpu');
    expect(oneOf(undefined, 'backend', backends, 'wasm', USAGE)).toBe('wasm');
    expect(oneOf(undefined, 'backend', backends, undefined, USAGE)).toBeUndefined();
    expect(() => oneOf('gpu', 'backend', backends, 'wasm', USAGE)).toThrow(new UsageError("--backend must be one of cpu, wasm, got 'gpu'", USAGE));
  });

  it('listOf: comma-separated allowed values in the order given, naming the unknown ones', () => {
    const libraries = ['digits', 'skills'] as const;
    expect(listOf('skills, digits', 'library', libraries, libraries, USAGE)).toEqual(['skills', 'digits']);
    expect(listOf(undefined, 'library', libraries, libraries, USAGE)).toEqual(['digits', 'skills']);
    expect(() => listOf('digits,words,x', 'library', libraries, [], USAGE)).toThrow("--library: unknown 'words', 'x'; allowed: digits, skills");
    expect(() => listOf('', 'library', libraries, [], USAGE)).toThrow(UsageError);
  });
});

describe('ProgressBar', () => {
  /** A stream that records what is written, and a clock that advances a second a reading. */
  function setup(isTTY: boolean, total = 10) {
    const writes: string[] = [];
    let t = 0;
    const bar = new ProgressBar('stage', total, { isTTY, write: (s: string) => writes.push(s) }, () => (t += 1000));
    return { bar, writes };
  }

  it('in a log: the first line, then one a tenth, one final line with the closing note, nothing after finish', () => {
    const { bar, writes } = setup(false, 20);
    for (let i = 1; i <= 19; i++) bar.update(i, `loss ${i}`);
    expect(writes).toHaveLength(10);
    expect(writes[1]).toMatch(/^stage \[##-+\] 2\/20 10% elapsed \d+s ETA \d+s loss 2\n$/);
    bar.finish('done');
    bar.finish('again');
    bar.update(20);
    expect(writes).toHaveLength(11);
    expect(writes[10]).toMatch(/^stage \[#{24}\] 20\/20 100% .* done\n$/);
  });

  it('finish adds no second line when an update reached the total, unless it has a note', () => {
    const plain = setup(false);
    plain.bar.update(10);
    plain.bar.finish();
    expect(plain.writes).toHaveLength(1);
    const noted = setup(false);
    noted.bar.update(10);
    noted.bar.finish('mean accuracy 0.9');
    expect(noted.writes).toHaveLength(2);
    expect(noted.writes[1]).toMatch(/mean accuracy 0\.9\n$/);
  });

  it('on a terminal: redraws one line and ends it once', () => {
    const { bar, writes } = setup(true);
    bar.update(5, 'half');
    bar.finish('end');
    expect(writes[0]).toMatch(/^\rstage \[#{12}-{12}\] 5\/10 50% .* half\x1b\[K$/);
    expect(writes.slice(1)).toEqual([expect.stringMatching(/^\rstage \[#{24}\] 10\/10 100% .* end\x1b\[K$/), '\n']);
    const reached = setup(true);
    reached.bar.update(10);
    reached.bar.finish();
    expect(reached.writes).toEqual([expect.stringMatching(/^\rstage .* 10\/10 100%/), '\n']);
  });

  it('a bar of no work is complete at once', () => {
    const { bar, writes } = setup(false, 0);
    bar.update(0);
    bar.finish();
    expect(writes).toEqual([expect.stringMatching(/^stage \[#{24}\] 0\/0 100% /)]);
  });
});
