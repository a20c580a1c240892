import { EXIT, exitCodeFor, isPathSystemError } from './exit-codes';

// How a failed command tells its user what happened: one line naming the error and the culprit, a hint line, and
// a stack trace only when asked for (--debug or LORAGEN_DEBUG=1), since a trace helps only whoever fixes a bug.

/** What a program prints about an error, and the exit code it ends with. */
export interface ErrorReport {
  exitCode: number;
  name: string;
  /** What went wrong and where (without the hint). */
  message: string;
  hint?: string;
  /** Only when debugging was asked for. */
  stack?: string;
}

const HINT_LINE = '\n  hint: ';

const SYSTEM_HINTS: Record<string, string> = {
  ENOENT: 'check the path: it does not exist',
  ENOTDIR: 'a part of the path is a file where a folder is needed',
  EISDIR: 'the path is a folder where a file is needed',
  EEXIST: 'the path exists already: choose another, or remove it',
  ENOTEMPTY: 'the folder is not empty: choose a new or empty folder',
  EACCES: 'check the permissions of the path, or choose another one',
  EPERM: 'check the permissions of the path, or choose another one',
  EROFS: 'the file system is read-only: choose a path on a writable one',
  ENOSPC: 'the disk is full: free some space and run the command again',
  EDQUOT: 'the disk quota is used up: free some space and run the command again',
  ENAMETOOLONG: 'use a shorter path',
  ELOOP: 'the path has a symbolic link loop',
};

/** Whether stack traces were asked for through the environment (`LORAGEN_DEBUG=1`). */
export function debugFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  return ['1', 'true', 'yes'].includes((env.LORAGEN_DEBUG ?? '').toLowerCase());
}

/**
 * Classifies an error: its exit code (`exitCode` overrides the one {@link exitCodeFor} gives), and its message and
 * hint as separate strings.
 */
export function describeError(err: unknown, opts: { debug?: boolean; stoppedBy?: NodeJS.Signals; exitCode?: number } = {}): ErrorReport {
  const exitCode = opts.exitCode ?? exitCodeFor(err, opts.stoppedBy);
  const e = err instanceof Error ? err : new Error(String(err));
  const stack = opts.debug ? e.stack : undefined;
  if (isPathSystemError(err)) {
    return { exitCode, name: 'FileSystemError', message: err.message, hint: SYSTEM_HINTS[err.code!], stack };
  }
  const own = (e as Error & { hint?: unknown }).hint;
  const hint = typeof own === 'string' ? own : undefined;
  // Typed errors carry the hint at the end of their message too; print it once.
  const message = hint && e.message.endsWith(`${HINT_LINE}${hint}`) ? e.message.slice(0, -(HINT_LINE.length + hint.length)) : e.message;
  if (exitCode === EXIT.internal) {
    return {
      exitCode,
      name: e.name,
      message: `internal error (a bug): ${message}`,
      hint: opts.debug
        ? 'please report it with the stack trace below'
        : 'run again with --debug (or LORAGEN_DEBUG=1) for the stack trace, and report it',
      stack,
    };
  }
  return { exitCode, name: e.name, message, hint, stack };
}

/** The text for stderr: `PROGRAM: Name: message`, then `  hint: ...`, then the stack when there is one. */
export function formatErrorReport(program: string, report: ErrorReport): string {
  const lines = [`${program}: ${report.name}: ${report.message}`];
  if (report.hint) lines.push(`  hint: ${report.hint}`);
  if (report.stack) lines.push(report.stack);
  return `${lines.join('\n')}\n`;
}

/**
 * For programs built on LoRAGen (the demo, benchmarks): prints `err` to stderr the way `loragen` does and returns
 * the exit code to end with. `classify` may decide the code of the program's own errors first (say, 2 for usage).
 */
export function reportError(
  program: string,
  err: unknown,
  opts: { stderr?: { write(text: string): unknown }; debug?: boolean; classify?: (err: unknown) => number | undefined } = {},
): number {
  const report = describeError(err, { debug: opts.debug ?? debugFromEnv(), exitCode: opts.classify?.(err) });
  (opts.stderr ?? process.stderr).write(formatErrorReport(program, report));
  return report.exitCode;
}
