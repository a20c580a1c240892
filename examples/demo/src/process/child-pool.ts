// Runs one Node script in child processes, a bounded number at a time: the benchmark's seeds and the skills
// library's shards both spread over cores this way.
import { spawn } from 'node:child_process';

/**
 * Runs `script` once per entry of `argLists` (its command-line arguments), at most `jobs` children at a time, each
 * with the parent's stdio. Rejects naming the arguments of the first child that fails.
 */
export async function runInChildren(script: string, argLists: readonly string[][], jobs: number): Promise<void> {
  const queue = [...argLists];
  const runChild = (args: readonly string[]) =>
    new Promise<void>((resolveChild, reject) => {
      const child = spawn(process.execPath, [script, ...args], { stdio: 'inherit' });
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 ? resolveChild() : reject(new Error(`child '${args.join(' ')}' exited with code ${code}`))));
    });
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(jobs, queue.length)) }, async () => {
      for (let args = queue.shift(); args !== undefined; args = queue.shift()) await runChild(args);
    }),
  );
}
