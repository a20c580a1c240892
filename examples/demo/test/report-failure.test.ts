import { CheckpointError } from '@loragen/core';
import { UsageError } from '@loragen/core/node';
import { failWith } from '../src/process/report-failure';

describe('failWith: the demo programs end on an error as loragen does', () => {
  const saved = process.exitCode;
  afterEach(() => {
    process.exitCode = saved;
  });

  function fail(err: unknown): { text: string; code: typeof process.exitCode } {
    let text = '';
    failWith('demo', { write: (s: string) => (text += s) })(err);
    return { text, code: process.exitCode };
  }

  it('a typed error: exit 3, its message and hint, no stack trace', () => {
    const { text, code } = fail(new CheckpointError('no model at demo-output/model', 'run npm run demo once without --model'));
    expect(code).toBe(3);
    expect(text).toBe('demo: CheckpointError: no model at demo-output/model\n  hint: run npm run demo once without --model\n');
  });

  it('a usage mistake: exit 2; a bug: exit 1 and the advice to rerun with LORAGEN_DEBUG=1', () => {
    expect(fail(new UsageError("unknown argument '--x'"))).toEqual({ text: "demo: UsageError: unknown argument '--x'\n", code: 2 });
    const bug = fail(new TypeError('x is undefined'));
    expect(bug.code).toBe(1);
    expect(bug.text).toMatch(/^demo: TypeError: internal error \(a bug\): x is undefined\n {2}hint: .*LORAGEN_DEBUG=1/);
    expect(bug.text).not.toMatch(/^\s+at /m);
  });
});
