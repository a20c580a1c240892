import { AdapterFormatError, AdapterLayoutError, SafetensorsError } from '@loragen/lora-io';
import { WeightSpaceError } from '@loragen/weight-space';
import { AbortedError, BackendUnavailableError, LoraGenError } from '../errors';

/** Exit codes of `loragen`; scripts can tell a bad input from a crash. */
export const EXIT = {
  ok: 0,
  /** An unexpected failure (a bug): please report it. */
  internal: 1,
  /** Bad command line: unknown command or option, missing argument. */
  usage: 2,
  /** Bad input: config, library, adapter, checkpoint or text-encoder problem (the message says which). */
  input: 3,
  /** The requested backend cannot run here. */
  backend: 4,
  /** Stopped by Ctrl-C (after saving a checkpoint). */
  interrupted: 130,
} as const;

/** A command-line mistake. */
export class UsageError extends LoraGenError {}

export function exitCodeFor(err: unknown): number {
  if (err instanceof UsageError) return EXIT.usage;
  if (err instanceof AbortedError) return EXIT.interrupted;
  if (err instanceof BackendUnavailableError) return EXIT.backend;
  if (
    err instanceof LoraGenError ||
    err instanceof SafetensorsError ||
    err instanceof AdapterFormatError ||
    err instanceof AdapterLayoutError ||
    err instanceof WeightSpaceError
  ) {
    return EXIT.input;
  }
  return EXIT.internal;
}
