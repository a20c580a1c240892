import { readCheckpointFolder, writeCheckpointFile, writeCheckpointFolder } from './folder';

// Resumable training checkpoints: `<root>/step-<n>/` folders and a `LATEST` file naming the newest complete
// one. A folder is complete before LATEST points at it, so a run killed at any instant leaves a valid LATEST.

const LATEST = 'LATEST';

export async function writeTrainingCheckpoint(root: string, step: number, files: Record<string, Uint8Array>): Promise<void> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  const name = `step-${String(step).padStart(8, '0')}`;
  await fs.mkdir(root, { recursive: true });
  await fs.rm(path.join(root, name), { recursive: true, force: true });
  await writeCheckpointFolder(path.join(root, name), files);
  await writeCheckpointFile(path.join(root, LATEST), name);
  for (const entry of await fs.readdir(root)) {
    if (entry.startsWith('step-') && entry !== name) await fs.rm(path.join(root, entry), { recursive: true, force: true });
  }
}

/** The newest complete checkpoint's files, or `null` when `root` holds none. */
export async function readLatestTrainingCheckpoint(root: string): Promise<Record<string, Uint8Array> | null> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  let name: string;
  try {
    name = (await fs.readFile(path.join(root, LATEST), 'utf8')).trim();
  } catch {
    return null;
  }
  return readCheckpointFolder(path.join(root, name));
}
