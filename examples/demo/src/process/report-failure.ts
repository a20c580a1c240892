// How the demo's programs end on an error: printed the way `loragen` prints it (one line naming the error and its
// culprit, a hint line, a stack trace only with --debug or LORAGEN_DEBUG=1), with loragen's exit codes: 2 for a
// usage mistake (core's UsageError), 3 for bad input (any typed error of the @loragen packages), 4 for an
// unavailable backend, 1 for a bug.
import { debugFromEnv, reportError } from '@loragen/core/node';

/**
 * The handler for a program's `main().catch(...)`: reports `err` under the program's name on stderr and sets
 * `process.exitCode`.
 * @example main().catch(failWith('demo'));
 */
export function failWith(program: string, stderr: { write(text: string): unknown } = process.stderr): (err: unknown) => void {
  return (err) => {
    process.exitCode = reportError(program, err, { stderr, debug: debugFromEnv() || process.argv.includes('--debug') });
  };
}
