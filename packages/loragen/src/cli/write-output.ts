import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeFolderAtomic } from '@loragen/lora-io/node';
import type { CliIO } from './output';
import type { OutputMode } from './paths';

/**
 * Fills a command's output folder. `create` (it was missing or empty): `fill` writes into a temporary folder that
 * is renamed to `out` at the end, so a failure or a signal leaves no `out` at all (the temporary folder is removed,
 * even on a second signal). `beside` (--force on a non-empty folder): `fill` writes into `out` itself, each file
 * atomically, and touches nothing else.
 */
export async function writeOutput(out: string, mode: OutputMode, io: CliIO, fill: (dir: string) => Promise<void>): Promise<void> {
  if (mode === 'beside') return fill(out);
  await mkdir(dirname(out), { recursive: true });
  let untrack: () => void = () => undefined;
  try {
    await writeFolderAtomic(out, fill, { onTemporary: (tmp: string) => (untrack = io.interrupts.track(tmp)) });
  } finally {
    untrack();
  }
}
