import { SamplingAbortedError, LatentDiffusionError } from '@loragen/latent-diffusion';
import { LoraIoError } from '@loragen/lora-io';
import { MoeDecoderError } from '@loragen/moe-decoder';
import { WeightSpaceError } from '@loragen/weight-space';
import { AbortedError, BackendUnavailableError, LoraGenError } from '../errors';

/** Exit codes of `loragen`; scripts can tell a bad input from a crash. */
export const EXIT = {
  ok: 0,
  /** An unexpected failure (a bug): please report it. */
  internal: 1,
  /** Bad command line: unknown command or option, missing argument. */
  usage: 2,
  /** Bad input: a path, config, library, adapter, checkpoint, text encoder or value problem (the message says which). */
  input: 3,
  /** The requested backend cannot run here. */
  backend: 4,
  /** Stopped by Ctrl-C (SIGINT), after cleaning up (and, for train, saving a checkpoint). */
  interrupted: 130,
  /** Stopped by SIGTERM, likewise. */
  terminated: 143,
} as const;

/** A command-line mistake. */
export class UsageError extends LoraGenError {}

/** The typed errors of every @loragen package: each means the input was unusable, not that the code is wrong. */
const INPUT_ERRORS = [LoraGenError, LoraIoError, WeightSpaceError, MoeDecoderError, LatentDiffusionError];

/**
 * Node's file-system errors that describe a path, not a bug (what the up-front path checks did not foresee, e.g.
 * a disk that fills up while writing).
 */
export const PATH_ERROR_CODES = [
  'ENOENT',
  'ENOTDIR',
  'EISDIR',
  'EEXIST',
  'ENOTEMPTY',
  'EACCES',
  'EPERM',
  'EROFS',
  'ENOSPC',
  'EDQUOT',
  'ENAMETOOLONG',
  'ELOOP',
];

/** A Node system error about a path (see {@link PATH_ERROR_CODES}). */
export function isPathSystemError(err: unknown): err is NodeJS.ErrnoException {
  const e = err as NodeJS.ErrnoException | null;
  return e instanceof Error && typeof e.code === 'string' && PATH_ERROR_CODES.includes(e.code) && typeof e.syscall === 'string';
}

/** The exit code for an error; `stoppedBy` is the signal that aborted the command, if one did. */
export function exitCodeFor(err: unknown, stoppedBy?: NodeJS.Signals): number {
  if (err instanceof UsageError) return EXIT.usage;
  if (err instanceof AbortedError || err instanceof SamplingAbortedError) return stoppedBy === 'SIGTERM' ? EXIT.terminated : EXIT.interrupted;
  if (err instanceof BackendUnavailableError) return EXIT.backend;
  if (INPUT_ERRORS.some((type) => err instanceof type) || isPathSystemError(err)) return EXIT.input;
  return EXIT.internal;
}
