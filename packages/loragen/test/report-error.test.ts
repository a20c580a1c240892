import { LatentDiffusionError, SamplingAbortedError } from '@loragen/latent-diffusion';
import { AdapterFormatError, AdapterLayoutError, SafetensorsError } from '@loragen/lora-io';
import { DecoderConfigError, StateDictError } from '@loragen/moe-decoder';
import { WeightSpaceError } from '@loragen/weight-space';
import { AbortedError, BackendUnavailableError, CheckpointError, ConfigError, NumericalError, PathError } from '../src';
import { EXIT, UsageError } from '../src/cli/exit-codes';
import { describeError, formatErrorReport, reportError } from '../src/cli/report-error';

// How `loragen` (and the demo's programs) classify and print errors: every package's typed error is bad input
// (exit 3) with its hint; only what no package threw on purpose is a bug (exit 1), and no error prints a stack
// trace unless asked for.

describe('describeError', () => {
  it.each([
    ['lora-io', 'SafetensorsError', new SafetensorsError('header length 9 runs past the end', 'w')],
    ['lora-io', 'AdapterFormatError', new AdapterFormatError('adapter_config.json: r is 0')],
    ['lora-io', 'AdapterLayoutError', new AdapterLayoutError("task 'b' differs")],
    ['weight-space', 'WeightSpaceError', new WeightSpaceError('A must be [..., r, dIn]')],
    ['moe-decoder', 'DecoderConfigError', new DecoderConfigError('topK must be a positive integer, got 0')],
    ['moe-decoder', 'StateDictError', new StateDictError("missing 'router/kernel'")],
    ['latent-diffusion', 'LatentDiffusionError', new LatentDiffusionError('sample: steps must be an integer in [2, 1000]')],
    ['core', 'ConfigError', new ConfigError("'seed' = -1", 'use a non-negative integer')],
    ['core', 'CheckpointError', new CheckpointError('weights.safetensors is corrupt', 're-save it')],
    ['core', 'PathError', new PathError('no library at x', 'pass --library a folder')],
    ['core', 'NumericalError', new NumericalError('the training loss is NaN at step 3', 'lower the learning rate')],
  ])('%s: %s is bad input (exit 3), its hint on a line of its own', (_pkg, _name, err) => {
    const report = describeError(err);
    expect(report.exitCode).toBe(EXIT.input);
    expect(report.name).toBe(err.name);
    expect(report.hint).toBe((err as { hint: string }).hint);
    expect(report.hint).toMatch(/\S/);
    expect(report.message).not.toMatch(/hint:/); // printed once, on its own line
    expect(report.stack).toBeUndefined();
    const text = formatErrorReport('loragen x', report);
    expect(text).toBe(`loragen x: ${err.name}: ${report.message}\n  hint: ${report.hint}\n`);
  });

  it('usage is 2, an unavailable backend 4, an interrupt 130 (SIGTERM 143)', () => {
    expect(describeError(new UsageError('missing --out', 'loragen train ...')).exitCode).toBe(EXIT.usage);
    expect(describeError(new BackendUnavailableError('no webgpu', 'npm i webgpu')).exitCode).toBe(EXIT.backend);
    expect(describeError(new AbortedError('stopped')).exitCode).toBe(EXIT.interrupted);
    expect(describeError(new AbortedError('stopped'), { stoppedBy: 'SIGTERM' }).exitCode).toBe(EXIT.terminated);
    expect(describeError(new SamplingAbortedError(3)).exitCode).toBe(EXIT.interrupted);
  });

  it("Node's errors about a path are bad input with a hint; anything else is a bug, its stack shown only on request", () => {
    const enoent = Object.assign(new Error("ENOSPC: no space left on device, write '/x/y'"), { code: 'ENOSPC', syscall: 'write', path: '/x/y' });
    expect(describeError(enoent)).toMatchObject({ exitCode: EXIT.input, name: 'FileSystemError', hint: expect.stringMatching(/disk is full/) });
    const bug = new TypeError("Cannot read properties of undefined (reading 'shape')");
    const quiet = describeError(bug);
    expect(quiet).toMatchObject({
      exitCode: EXIT.internal,
      message: expect.stringMatching(/^internal error \(a bug\): Cannot read/),
      hint: expect.stringMatching(/--debug/),
    });
    expect(quiet.stack).toBeUndefined();
    expect(formatErrorReport('loragen', quiet)).not.toMatch(/^\s+at /m);
    expect(describeError(bug, { debug: true }).stack).toMatch(/^\s+at /m);
  });
});

describe('reportError, for programs built on LoRAGen', () => {
  it("prints like loragen and returns the exit code; the program's own errors may take their own code", () => {
    class DemoUsage extends Error {}
    let text = '';
    const stderr = { write: (s: string) => (text += s) };
    expect(reportError('demo', new CheckpointError('no model at m', 'train one first'), { stderr, debug: false })).toBe(3);
    expect(text).toBe('demo: CheckpointError: no model at m\n  hint: train one first\n');
    text = '';
    const classify = (e: unknown) => (e instanceof DemoUsage ? EXIT.usage : undefined);
    expect(reportError('demo', new DemoUsage("unknown argument '--x'"), { stderr, debug: false, classify })).toBe(2);
    expect(text).toBe("demo: Error: unknown argument '--x'\n");
  });
});
