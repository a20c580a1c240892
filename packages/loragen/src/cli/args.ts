import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './exit-codes';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Options every command takes. */
export const COMMON_OPTIONS = {
  backend: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
  /** Print stack traces of errors (as LORAGEN_DEBUG=1 does). */
  debug: { type: 'boolean', default: false },
} as const satisfies Options;

/** Parsed option values: strings, or booleans for flags. */
export type OptionValues<O extends Options> = { [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string };

/** Parses `argv` strictly; unknown options and missing values become UsageErrors that show `usage`. */
export function parseCommandArgs<O extends Options>(
  argv: string[],
  options: O,
  usage: string,
  allowPositionals = false,
): { values: OptionValues<O & typeof COMMON_OPTIONS>; positionals: string[] } {
  try {
    const parsed = parseArgs({ args: argv, options: { ...COMMON_OPTIONS, ...options }, allowPositionals, strict: true });
    return { values: parsed.values as OptionValues<O & typeof COMMON_OPTIONS>, positionals: parsed.positionals };
  } catch (err) {
    throw new UsageError((err as Error).message, usage);
  }
}

export function required(value: string | undefined, name: string, usage: string): string {
  if (value === undefined || value === '') throw new UsageError(`missing --${name}`, usage);
  return value;
}

export function integer(value: string | undefined, name: string, fallback: number | undefined, usage: string): number | undefined {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a non-negative integer, got '${value}'`, usage);
  return n;
}

export function number(value: string | undefined, name: string, usage: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got '${value}'`, usage);
  return n;
}
