import { constants, type Stats } from 'node:fs';
import { access, mkdtemp, readdir, rmdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { PathError } from '../errors';

// Paths are checked before any work starts, so a mistyped path costs no training time and the message names the
// path and what is wrong with it, instead of a raw ENOENT from deep inside a reader.

async function statOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new PathError(`cannot look at ${path}: ${(err as Error).message}`, 'check the permissions of the folders on the path');
  }
}

/**
 * Checks that `path` is an existing, readable folder. `what` names it in messages ("library", "model").
 * @throws PathError naming the path: missing, a file, or not readable.
 */
export async function inputFolder(path: string, what: string, hint: string): Promise<void> {
  const st = await statOrUndefined(path);
  if (!st) throw new PathError(`no ${what} at ${path}`, hint);
  if (!st.isDirectory()) throw new PathError(`the ${what} ${path} is a file; a folder is needed`, hint);
  await access(path, constants.R_OK | constants.X_OK).catch(() => {
    throw new PathError(`the ${what} folder ${path} is not readable`, 'check its permissions');
  });
}

/**
 * Checks that `path` is an existing, readable file. `what` names it in messages ("config file").
 * @throws PathError naming the path: missing, a folder, or not readable.
 */
export async function inputFile(path: string, what: string, hint: string): Promise<void> {
  const st = await statOrUndefined(path);
  if (!st) throw new PathError(`no ${what} at ${path}`, hint);
  if (st.isDirectory()) throw new PathError(`the ${what} ${path} is a folder; a file is needed`, hint);
  await access(path, constants.R_OK).catch(() => {
    throw new PathError(`the ${what} ${path} is not readable`, 'check its permissions');
  });
}

/** Whether an output folder is to be created (missing or empty), or written into beside files already there. */
export type OutputMode = 'create' | 'beside';

/** Options of {@link outputFolder}. */
export interface OutputFolderOptions {
  /** The option that named the folder, for messages. @default '--out' */
  flag?: string;
  /** Allow a non-empty folder (`--force`, or `--resume` for train). @default false */
  allowNonEmpty?: boolean;
  /** What to do instead, for the message refusing a non-empty folder. */
  nonEmptyHint?: string;
}

/**
 * Checks an output folder before any work: not a file, empty unless `allowNonEmpty`, and writable (by creating and
 * removing a probe folder, which is what counts; permission bits do not bind root). Creates nothing.
 * @returns 'create' when the folder is missing or empty (it can be written atomically), else 'beside'.
 * @throws PathError naming the path.
 */
export async function outputFolder(path: string, opts: OutputFolderOptions = {}): Promise<OutputMode> {
  const flag = opts.flag ?? '--out';
  const st = await statOrUndefined(path);
  if (st && !st.isDirectory()) {
    throw new PathError(`${flag} ${path} is a file; a folder is needed`, 'pass a folder path (a missing folder is created)');
  }
  if (st) {
    const entries = await readdir(path);
    if (entries.length > 0 && !opts.allowNonEmpty) {
      const shown = entries.slice(0, 5).join(', ') + (entries.length > 5 ? `, ... (${entries.length} entries)` : '');
      throw new PathError(
        `${flag} ${path} is not empty (it holds ${shown})`,
        opts.nonEmptyHint ??
          `choose a new or empty folder, or pass --force to write the output files beside those (replacing files of the same names)`,
      );
    }
    await assertWritable(path, flag, path);
    return entries.length === 0 ? 'create' : 'beside';
  }
  // Missing: it will be created (with its parents) inside the nearest folder that exists.
  let parent = dirname(resolve(path));
  let parentStat = await statOrUndefined(parent);
  while (!parentStat && dirname(parent) !== parent) {
    parent = dirname(parent);
    parentStat = await statOrUndefined(parent);
  }
  if (parentStat && !parentStat.isDirectory()) {
    throw new PathError(`${flag} ${path} cannot be created: ${parent} is a file`, 'pass a folder path whose parents are folders');
  }
  await assertWritable(parent, flag, path);
  return 'create';
}

async function assertWritable(dir: string, flag: string, path: string): Promise<void> {
  let probe: string;
  try {
    probe = await mkdtemp(join(dir, '.loragen-probe-'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new PathError(
      `${flag} ${path} is not writable: cannot create anything in ${dir} (${code})`,
      'choose a folder you can write to, or change its permissions',
    );
  }
  await rmdir(probe);
}
