// Atomic file writes: a temporary name in the same folder, then rename over the target.
import { open, rename, unlink } from 'node:fs/promises';
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
        for (let off = 0; off < part.byteLength; ) {
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
