import type { ZodIssue } from 'zod';
import { ConfigError } from '../errors';
import { configSchema, type LoraGenConfig, type LoraGenConfigInput } from './schema';

function valueAt(input: unknown, path: (string | number)[]): unknown {
  let v: unknown = input;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[key];
  }
  return v;
}

function describeIssue(issue: ZodIssue, input: unknown): string {
  const field = issue.path.length ? issue.path.join('.') : '(root)';
  if (issue.code === 'unrecognized_keys') {
    return `unknown field(s) ${issue.keys.map((k) => `'${[...issue.path, k].join('.')}'`).join(', ')}`;
  }
  const value = JSON.stringify(valueAt(input, issue.path)) ?? 'undefined';
  return `'${field}' = ${value}: ${issue.message}`;
}

/**
 * Validates a user config and fills in the paper's defaults.
 * @throws ConfigError naming each bad field, its value and what is allowed.
 */
export function resolveConfig(input: LoraGenConfigInput | unknown = {}): LoraGenConfig {
  const parsed = configSchema.safeParse(input ?? {});
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => describeIssue(i, input));
    throw new ConfigError(
      `invalid LoRAGen config: ${lines.join('; ')}`,
      "fix the named field(s); every field is optional and defaults to the paper's value",
    );
  }
  const cfg = parsed.data;
  if (cfg.diffusion.width % cfg.diffusion.heads !== 0) {
    throw new ConfigError(
      `invalid LoRAGen config: 'diffusion.heads' = ${cfg.diffusion.heads} does not divide 'diffusion.width' = ${cfg.diffusion.width}`,
      'choose heads that divide width (e.g. width 64, heads 8)',
    );
  }
  if (cfg.autoencoder.topK > cfg.autoencoder.numExperts) {
    throw new ConfigError(
      `invalid LoRAGen config: 'autoencoder.topK' = ${cfg.autoencoder.topK} exceeds 'autoencoder.numExperts' = ${cfg.autoencoder.numExperts}`,
      'topK must be between 1 and numExperts',
    );
  }
  return cfg;
}
