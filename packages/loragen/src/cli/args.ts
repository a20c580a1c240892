import { parseArgs, type ParseArgsConfig } from 'node:util';
import { BACKEND_NAMES, type BackendName } from '../backend/names';
import { UsageError } from './exit-codes';

/** The option definitions `node:util` `parseArgs` takes. */
export type OptionDefinitions = NonNullable<ParseArgsConfig['options']>;

/** Options every command takes. */
export const COMMON_OPTIONS = {
  backend: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
  /** Print stack traces of errors (as LORAGEN_DEBUG=1 does). */
  debug: { type: 'boolean', default: false },
} as const satisfies OptionDefinitions;

/** Options that each take a value (`--name VALUE`), with no default: the command parses and checks the strings. */
export function valueOptions<K extends string>(...names: K[]): { [P in K]: { type: 'string' } } {
  return Object.fromEntries(names.map((name) => [name, { type: 'string' }])) as { [P in K]: { type: 'string' } };
}

/** Parsed option values: strings, or booleans for flags. */
export type OptionValues<O extends OptionDefinitions> = { [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string };

/**
 * Parses `argv` strictly against exactly `options` (no common ones added); unknown options, missing values and
 * stray positionals become UsageErrors whose hint is `usage`. For programs with options of their own; a `loragen`
 * command uses {@link parseCommandArgs}.
 */
export function parseOptions<O extends OptionDefinitions>(
  argv: string[],
  options: O,
  usage: string,
  allowPositionals = false,
): { values: OptionValues<O>; positionals: string[] } {
  try {
    const parsed = parseArgs({ args: argv, options, allowPositionals, strict: true });
    return { values: parsed.values as OptionValues<O>, positionals: parsed.positionals };
  } catch (err) {
    throw new UsageError((err as Error).message, usage);
  }
}

/** Parses `argv` strictly; unknown options and missing values become UsageErrors that show `usage`. */
export function parseCommandArgs<O extends OptionDefinitions>(
  argv: string[],
  options: O,
  usage: string,
  allowPositionals = false,
): { values: OptionValues<O & typeof COMMON_OPTIONS>; positionals: string[] } {
  return parseOptions(argv, { ...COMMON_OPTIONS, ...options }, usage, allowPositionals);
}

export function required(value: string | undefined, name: string, usage: string): string {
  if (value === undefined || value === '') throw new UsageError(`missing --${name}`, usage);
  return value;
}

/** `--name` as a non-negative integer, or `fallback` when it is absent. */
export function integer(value: string | undefined, name: string, fallback: number, usage: string): number;
export function integer(value: string | undefined, name: string, fallback: number | undefined, usage: string): number | undefined;
export function integer(value: string | undefined, name: string, fallback: number | undefined, usage: string): number | undefined {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a non-negative integer, got '${value}'`, usage);
  return n;
}

export function number(value: string | undefined, name: string, usage: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got '${value}'`, usage);
  return n;
}

/**
 * `--name` as one of `allowed` (say, a backend), or `fallback` when it is absent; any other value is a UsageError that
 * lists what is allowed. Typed `T` when `fallback` is one of `allowed`, `T | undefined` when it is `undefined`.
 */
export function oneOf<T extends string, F extends T | undefined>(
  value: string | undefined,
  name: string,
  allowed: readonly T[],
  fallback: F,
  usage: string,
): T | F {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')}, got '${value}'`, usage);
  return value as T;
}

/** `--backend`: one of the backend names, or `undefined` (the default backend) when it is absent. */
export function backendOption(value: string | undefined, usage: string): BackendName | undefined {
  return oneOf(value, 'backend', BACKEND_NAMES, undefined, usage);
}

/**
 * `--name a,b`: a comma-separated list of values from `allowed`, in the order given, or `fallback` when the option
 * is absent. An empty list or any other value is a UsageError that names the culprits and lists what is allowed.
 */
export function listOf<T extends string>(value: string | undefined, name: string, allowed: readonly T[], fallback: readonly T[], usage: string): T[] {
  if (value === undefined) return [...fallback];
  const list = value.split(',').map((v) => v.trim());
  const unknown = list.filter((v) => !(allowed as readonly string[]).includes(v));
  if (unknown.length > 0)
    throw new UsageError(`--${name}: unknown ${unknown.map((v) => `'${v}'`).join(', ')}; allowed: ${allowed.join(', ')}`, usage);
  return list as T[];
}
