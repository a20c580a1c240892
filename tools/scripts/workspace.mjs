// Facts about the workspace that the repo scripts share.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The published packages, by folder under packages/. */
export const PUBLISHED = ['lora-io', 'weight-space', 'moe-decoder', 'latent-diffusion', 'loragen'];

export const NX_ENV = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' };

/** Runs a command with inherited output; returns its exit status. */
export function run(cmd, args, opts = {}) {
  const res = spawnSync(cmd, args, { stdio: 'inherit', cwd: ROOT, env: NX_ENV, ...opts });
  if (res.error) throw res.error;
  return res.status ?? 1;
}
