import { CheckpointError } from '../errors';
import { crc32 } from './crc32';

// A checkpoint folder: named files plus `manifest.json` (byte length and CRC-32 of each), written last. Every
// file goes to a temporary name in the same folder and is renamed into place, so a reader never sees a
// half-written file, and a folder whose files do not match its manifest is reported as corrupt.

const MANIFEST = 'manifest.json';
const FORMAT = 'loragen-checkpoint';

interface Manifest {
  format: typeof FORMAT;
  version: 1;
  files: Record<string, { bytes: number; crc32: number }>;
}

const fsp = () => import('node:fs/promises');
const pathMod = () => import('node:path');

/** Writes `bytes` to `file` atomically: a temporary name beside it, then rename. */
export async function writeFileAtomic(file: string, bytes: Uint8Array | string): Promise<void> {
  const fs = await fsp();
  const tmp = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const handle = await fs.open(tmp, 'w');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(tmp, file);
}

/** Writes every file, then the manifest, into `dir` (created if missing). */
export async function writeCheckpointFolder(dir: string, files: Record<string, Uint8Array>): Promise<void> {
  const fs = await fsp();
  const path = await pathMod();
  await fs.mkdir(dir, { recursive: true });
  const manifest: Manifest = { format: FORMAT, version: 1, files: {} };
  for (const [name, bytes] of Object.entries(files)) {
    await writeFileAtomic(path.join(dir, name), bytes);
    manifest.files[name] = { bytes: bytes.byteLength, crc32: crc32(bytes) };
  }
  await writeFileAtomic(path.join(dir, MANIFEST), JSON.stringify(manifest, null, 1));
}

/**
 * Reads every file the manifest lists and checks its length and CRC-32.
 * @throws CheckpointError when the folder, the manifest or a file is missing, or a file does not match.
 */
export async function readCheckpointFolder(dir: string): Promise<Record<string, Uint8Array>> {
  const fs = await fsp();
  const path = await pathMod();
  const hint = 'the folder is not a complete LoRAGen model: save it again, or resume training from an earlier checkpoint';
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await fs.readFile(path.join(dir, MANIFEST), 'utf8')) as Manifest;
  } catch (err) {
    throw new CheckpointError(`cannot read ${path.join(dir, MANIFEST)}: ${(err as Error).message}`, hint);
  }
  if (manifest?.format !== FORMAT || typeof manifest.files !== 'object') {
    throw new CheckpointError(`${path.join(dir, MANIFEST)} is not a LoRAGen checkpoint manifest`, hint);
  }
  const out: Record<string, Uint8Array> = {};
  for (const [name, expected] of Object.entries(manifest.files)) {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await fs.readFile(path.join(dir, name)));
    } catch (err) {
      throw new CheckpointError(`checkpoint file ${path.join(dir, name)} is missing: ${(err as Error).message}`, hint);
    }
    if (bytes.byteLength !== expected.bytes || crc32(bytes) !== expected.crc32) {
      throw new CheckpointError(
        `checkpoint file ${path.join(dir, name)} is corrupt: ${bytes.byteLength} bytes (CRC ${crc32(bytes)}), ` +
          `the manifest says ${expected.bytes} bytes (CRC ${expected.crc32})`,
        hint,
      );
    }
    out[name] = bytes;
  }
  return out;
}
