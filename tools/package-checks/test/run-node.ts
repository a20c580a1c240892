import { spawnSync } from 'node:child_process';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..', '..');

export interface NodeResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a script in a fresh, plain `node` (no jest, no transforms), from the repo root. */
export function runNode(source: string, kind: 'esm' | 'cjs'): NodeResult {
  const res = spawnSync(process.execPath, ['--input-type=' + (kind === 'esm' ? 'module' : 'commonjs'), '-e', source], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}
