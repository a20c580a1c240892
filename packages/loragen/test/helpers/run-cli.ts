import { spawn, spawnSync, type SpawnOptions } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCli } from '../../src/cli/run';

/** Runs one `loragen` invocation in-process; returns its exit code and what it wrote to stdout and stderr. */
export async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } });
  return { code, out, err };
}

/**
 * Runs `loragen generate --model <model> --description <description> --out <out>` in-process, then `options`: more
 * arguments as on a command line, tokens without spaces (e.g. '--samples 2 --backend cpu --json').
 */
export function cliGenerate(model: string, description: string, out: string, options = ''): Promise<{ code: number; out: string; err: string }> {
  return cli(['generate', '--model', model, '--description', description, '--out', out, ...options.split(' ').filter(Boolean)]);
}

const PKG = path.resolve(__dirname, '../..');
/** The installed `loragen` command: bin/loragen.cjs, which loads the built dist/cli.cjs. */
export const LORAGEN_BIN = path.join(PKG, 'bin/loragen.cjs');

/**
 * Throws unless dist/cli.cjs exists. `npm test` builds it first (the test target depends on build); file times
 * cannot tell a stale build, since nx restores a cached build of the same sources with the cache's old times.
 */
export function assertCliBuilt(): void {
  const built = path.join(PKG, 'dist/cli.cjs');
  if (!fs.existsSync(built)) throw new Error(`${built} is missing; build it: cd packages/loragen && npx tsup (npm test does this through nx)`);
}

/** The result of a finished `loragen` process. */
export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the built `loragen` in a child process, as a user's shell does, and waits for it. */
export function runBuiltCli(argv: string[], opts: SpawnOptions = {}): CliRun {
  const r = spawnSync(process.execPath, [LORAGEN_BIN, ...argv], { encoding: 'utf8', timeout: 120_000, ...opts });
  if (r.error) throw r.error;
  return { code: r.status, signal: r.signal, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** Starts the built `loragen` in a child process; `done` settles when it exits. */
export function startBuiltCli(argv: string[], opts: SpawnOptions = {}): { child: ReturnType<typeof spawn>; done: Promise<CliRun> } {
  const child = spawn(process.execPath, [LORAGEN_BIN, ...argv], { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<CliRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}
