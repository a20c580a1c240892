// The manifest of the committed artefacts: what built them and a sha256 of every file, so a checkout can be
// verified and a rebuild compared byte for byte.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

export const MANIFEST_FILE = 'manifest.json';

/** What the builder measured while building, kept with the checksums. */
export interface BuildRecord {
  seed: number;
  /** Pre-training of the base model; `steps` 0 for a base left at its seeded initialisation (the skills family's). */
  baseModel: { steps: number; promptedAccuracy?: number };
  tasks: Array<{ id: string; steps: number; validationAccuracy: number }>;
  seconds: number;
  backend: string;
}

export interface Manifest {
  build: BuildRecord;
  /** sha256 (hex) by path relative to the artefact root, with '/' separators, sorted. */
  files: Record<string, string>;
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((e) => (e.isDirectory() ? listFiles(join(dir, e.name)) : Promise.resolve(e.isFile() ? [join(dir, e.name)] : []))),
  );
  return nested.flat();
}

/** sha256 of every file under `root` except the manifest itself. */
export async function checksums(root: string): Promise<Record<string, string>> {
  const files = (await listFiles(root)).map((f) => relative(root, f).split(sep).join('/')).filter((f) => f !== MANIFEST_FILE);
  const sums: Record<string, string> = {};
  for (const f of files.sort())
    sums[f] = createHash('sha256')
      .update(await readFile(join(root, f)))
      .digest('hex');
  return sums;
}

/** Differences between the files under `root` and its manifest: empty when every checksum matches. */
export async function verifyManifest(root: string): Promise<string[]> {
  const manifest = JSON.parse(await readFile(join(root, MANIFEST_FILE), 'utf8')) as Manifest;
  const actual = await checksums(root);
  const problems: string[] = [];
  for (const [f, sum] of Object.entries(manifest.files)) {
    if (!(f in actual)) problems.push(`${f}: missing`);
    else if (actual[f] !== sum) problems.push(`${f}: sha256 ${actual[f]} differs from the manifest's ${sum}`);
  }
  for (const f of Object.keys(actual)) if (!(f in manifest.files)) problems.push(`${f}: not in the manifest`);
  return problems;
}
