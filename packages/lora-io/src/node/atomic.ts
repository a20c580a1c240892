// Atomic file writes: a temporary name in the same folder, then rename over the target. Folders likewise: filled
// under a temporary name beside the target, then renamed into place.
import { mkdir, open, rename, rm, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

/** Options of the atomic writers. */
export interface AtomicWriteOptions {
  /**
   * fsync the file before the rename, so that after a crash the target holds either the old or the whole new
   * content (without it, readers still never see a partial file while the system stays up).
   * @default false
   */
  fsync?: boolean;
}

const MAX_CHUNK = 1 << 30;
const IOV_BATCH = 256;

/** Writes `parts` one after another to `path`, atomically. Parts are written from their own memory (no concat). */
export async function writeFileAtomic(path: string, parts: readonly Uint8Array[], opts: AtomicWriteOptions = {}): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const fh = await open(tmp, 'wx', 0o644);
  let ok = false;
  try {
    let pos = 0;
    let batch: Uint8Array[] = [];
    let batchBytes = 0;
    const flush = async () => {
      if (batch.length === 0) return;
      let written = 0;
      while (written < batchBytes) {
        // writev may write less than asked; continue from where it stopped.
        const { bytesWritten } = await fh.writev(remaining(batch, written), pos + written);
        written += bytesWritten;
      }
      pos += batchBytes;
      batch = [];
      batchBytes = 0;
    };
    for (const part of parts) {
      if (part.byteLength >= MAX_CHUNK) {
        await flush();
        for (let off = 0; off < part.byteLength;) {
          const { bytesWritten } = await fh.write(part, off, Math.min(MAX_CHUNK, part.byteLength - off), pos);
          off += bytesWritten;
          pos += bytesWritten;
        }
        continue;
      }
      if (part.byteLength === 0) continue;
      batch.push(part);
      batchBytes += part.byteLength;
      if (batch.length >= IOV_BATCH || batchBytes >= MAX_CHUNK) await flush();
    }
    await flush();
    if (opts.fsync) await fh.sync();
    ok = true;
  } finally {
    await fh.close().catch(() => undefined);
    if (!ok) await unlink(tmp).catch(() => undefined);
  }
  try {
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
}

/** Options of {@link writeFolderAtomic}. */
export interface AtomicFolderOptions {
  /**
   * Called with the temporary folder's path before anything is written into it, e.g. to remove it from a signal
   * handler that must exit at once.
   */
  onTemporary?: (tmp: string) => void;
}

/**
 * Creates `dir` atomically: `fill` writes into a new temporary folder beside it, which is then renamed to `dir`.
 * `dir` must be missing or an empty folder (rename replaces only those). If `fill` or the rename fails, the
 * temporary folder is removed, so readers see either no `dir` or the complete one.
 */
export async function writeFolderAtomic(dir: string, fill: (tmp: string) => Promise<void>, opts: AtomicFolderOptions = {}): Promise<void> {
  const tmp = join(dirname(dir), `.${basename(dir)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  await mkdir(tmp);
  opts.onTemporary?.(tmp);
  try {
    await fill(tmp);
    await rename(tmp, dir);
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
}

function remaining(parts: Uint8Array[], skip: number): Uint8Array[] {
  if (skip === 0) return parts;
  const out: Uint8Array[] = [];
  for (const p of parts) {
    if (skip >= p.byteLength) {
      skip -= p.byteLength;
      continue;
    }
    out.push(skip > 0 ? p.subarray(skip) : p);
    skip = 0;
  }
  return out;
}
