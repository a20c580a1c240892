// Minimal `--name value` argument parsing for the demo's programs (no dependency).
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Parses `--key value` pairs and bare `--flag`s (set to 'true'); every key must be one of `allowed`. */
export function parseArguments(argv: readonly string[], allowed: readonly string[], flags: readonly string[] = []): Map<string, string> {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i];
    if (!key.startsWith('--') || !allowed.includes(key.slice(2))) {
      throw new UsageError(`unknown argument '${key}'; allowed: ${allowed.map((a) => `--${a}`).join(', ')}`);
    }
    if (flags.includes(key.slice(2))) {
      values.set(key.slice(2), 'true');
      continue;
    }
    const value = argv[i + 1];
    if (value === undefined || value.startsWith('--')) throw new UsageError(`${key} needs a value`);
    values.set(key.slice(2), value);
    i++;
  }
  return values;
}

/** An integer argument, or its default. */
export function integerArgument(values: Map<string, string>, key: string, fallback: number): number {
  const raw = values.get(key);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new UsageError(`--${key} must be an integer, got '${raw}'`);
  return n;
}
