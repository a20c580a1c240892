import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A fresh folder under the OS temp folder for the enclosing describe block (or the whole file, at top level): made
 * by a `beforeAll` registered here, so it exists in every later `beforeAll` and test, and removed with its contents
 * by an `afterAll`. Returns a getter for its path.
 */
export function tempFolder(prefix: string): () => string {
  let dir: string | undefined;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
  });
  afterAll(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    if (dir === undefined) throw new Error(`tempFolder('${prefix}') is read before its beforeAll ran`);
    return dir;
  };
}
