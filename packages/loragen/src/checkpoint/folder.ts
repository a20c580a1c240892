import { CheckpointError } from '../errors';
import { crc32 } from './crc32';

// A checkpoint folder: named files plus `manifest.json` (byte length and CRC-32 of each), written last. Every
// file goes to a temporary name in the same folder and is renamed into place, so a reader never sees a
// half-written file (lora-io's atomic writer), and a folder whose files do not match its manifest is reported as corrupt.

const MANIFEST = 'manifest.json';
const FORMAT = 'loragen-checkpoint';

interface Manifest {
  format: typeof FORMAT;
  version: 1;
  files: Record<string, { bytes: number; crc32: number }>;
}

const fsp = () => import('node:fs/promises');
const pathMod = () => import('node:path');

// lora-io's Node entry, named through a variable: a browser bundle of the main entry (which offers fromFiles) must
// not pull in Node's file system, and bundlers (vite, rollup) fail on its named imports of fs when they follow a
// literal specifier. Only Node runs the functions below.
const LORA_IO_NODE = '@loragen/lora-io/node';

/**
 * Writes `bytes` to `file` atomically and durably with lora-io's writer (a temporary name beside it, fsync, then
 * rename), imported on first use (Node).
 */
export async function writeCheckpointFile(file: string, bytes: Uint8Array | string): Promise<void> {
  const { writeFileAtomic } = (await import(LORA_IO_NODE)) as typeof import('@loragen/lora-io/node');
  await writeFileAtomic(file, [typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes], { fsync: true });
}

/** Writes every file, then the manifest, into `dir` (created if missing). */
export async function writeCheckpointFolder(dir: string, files: Record<string, Uint8Array>): Promise<void> {
  const fs = await fsp();
  const path = await pathMod();
  await fs.mkdir(dir, { recursive: true });
  const manifest: Manifest = { format: FORMAT, version: 1, files: {} };
  for (const [name, bytes] of Object.entries(files)) {
    await writeCheckpointFile(path.join(dir, name), bytes);
    manifest.files[name] = { bytes: bytes.byteLength, crc32: crc32(bytes) };
  }
  await writeCheckpointFile(path.join(dir, MANIFEST), JSON.stringify(manifest, null, 1));
}

const HINT = 'the folder is not a complete LoRAGen model: save it again, or resume training from an earlier checkpoint';

function parseManifest(text: string, where: string): Manifest {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(text) as Manifest;
  } catch (err) {
    throw new CheckpointError(`${where} is not valid JSON: ${(err as Error).message}`, HINT);
  }
  if (manifest?.format !== FORMAT || typeof manifest.files !== 'object' || manifest.files === null) {
    throw new CheckpointError(`${where} is not a LoRAGen checkpoint manifest`, HINT);
  }
  return manifest;
}

/**
 * Checks checkpoint files already in memory (fetched in a browser, say) against their `manifest.json`: every
 * listed file present, with the listed length and CRC-32. `label` names the source in errors.
 * @returns the listed files, without the manifest.
 * @throws CheckpointError when the manifest or a file is missing, or a file does not match.
 */
export function verifyCheckpointFiles(files: Record<string, Uint8Array>, label: string): Record<string, Uint8Array> {
  const manifestBytes = files[MANIFEST];
  if (!manifestBytes) throw new CheckpointError(`${label}: ${MANIFEST} is missing`, HINT);
  const manifest = parseManifest(new TextDecoder().decode(manifestBytes), `${label}/${MANIFEST}`);
  const out: Record<string, Uint8Array> = {};
  for (const [name, expected] of Object.entries(manifest.files)) {
    const bytes = files[name];
    if (!bytes) throw new CheckpointError(`checkpoint file ${label}/${name} is missing`, HINT);
    if (bytes.byteLength !== expected.bytes || crc32(bytes) !== expected.crc32) {
      throw new CheckpointError(
        `checkpoint file ${label}/${name} is corrupt: ${bytes.byteLength} bytes (CRC ${crc32(bytes)}), ` +
          `the manifest says ${expected.bytes} bytes (CRC ${expected.crc32})`,
        HINT,
      );
    }
    out[name] = bytes;
  }
  return out;
}

/**
 * Reads `manifest.json` and every file it lists, unchecked (Node): pass the result to
 * {@link verifyCheckpointFiles}, or use {@link readCheckpointFolder}.
 * @throws CheckpointError when the folder, the manifest or a listed file is missing.
 */
export async function readCheckpointFiles(dir: string): Promise<Record<string, Uint8Array>> {
  const fs = await fsp();
  const path = await pathMod();
  const files: Record<string, Uint8Array> = {};
  try {
    files[MANIFEST] = new Uint8Array(await fs.readFile(path.join(dir, MANIFEST)));
  } catch (err) {
    throw new CheckpointError(`cannot read ${path.join(dir, MANIFEST)}: ${(err as Error).message}`, HINT);
  }
  const manifest = parseManifest(new TextDecoder().decode(files[MANIFEST]), path.join(dir, MANIFEST));
  for (const name of Object.keys(manifest.files)) {
    try {
      files[name] = new Uint8Array(await fs.readFile(path.join(dir, name)));
    } catch (err) {
      throw new CheckpointError(`checkpoint file ${path.join(dir, name)} is missing: ${(err as Error).message}`, HINT);
    }
  }
  return files;
}

/**
 * Reads every file the manifest lists and checks its length and CRC-32 (Node).
 * @throws CheckpointError when the folder, the manifest or a file is missing, or a file does not match.
 */
export async function readCheckpointFolder(dir: string): Promise<Record<string, Uint8Array>> {
  return verifyCheckpointFiles(await readCheckpointFiles(dir), dir);
}
