// The system pieces `npm test` needs beyond `npm ci`, brought up the way CI does, or refused at once:
//  - Chromium for the browser end-to-end test (examples/browser), always;
//  - a Vulkan driver (Debian's loader + Mesa 25's lavapipe in .vendor/) when LORAGEN_TEST_BACKENDS asks for webgpu.
// As root with apt, tools/scripts/install-system-deps.sh (idempotent) installs what is missing and prints the
// environment to use; without them, a missing piece stops the run before any test with the command to run.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './workspace.mjs';

const SCRIPT = 'tools/scripts/install-system-deps.sh';
export const INSTALL_COMMAND = `sudo LORAGEN_WITH_CHROMIUM=1 bash ${path.join(ROOT, SCRIPT)}`;
const LAVAPIPE_ICD = path.join(ROOT, '.vendor', 'lavapipe', 'icd.json');

const succeeds = (cmd, args) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;

/** What this machine lacks for the requested tests, each with why it is needed. */
export function missingSystemDeps(env = process.env) {
  const missing = [];
  const chromium = env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!fs.existsSync(chromium)) missing.push(`Chromium at ${chromium} (the browser end-to-end test; or set CHROMIUM_PATH)`);
  if (wantsWebgpu(env)) {
    if (!succeeds('dpkg', ['-s', 'libvulkan1', 'mesa-vulkan-drivers'])) missing.push("Debian's libvulkan1 and mesa-vulkan-drivers (the webgpu lane)");
    if (!fs.existsSync(LAVAPIPE_ICD)) missing.push(`Mesa 25's lavapipe in ${path.dirname(LAVAPIPE_ICD)} (the webgpu lane)`);
  }
  return missing;
}

function wantsWebgpu(env) {
  return (env.LORAGEN_TEST_BACKENDS ?? '')
    .split(',')
    .map((s) => s.trim())
    .includes('webgpu');
}

/** Runs the install script and returns the environment after evaluating what it prints (as `.ci/run` did). */
function runInstallScript(env) {
  const script = spawnSync('bash', [path.join(ROOT, SCRIPT)], {
    cwd: ROOT,
    env: { ...env, LORAGEN_WITH_CHROMIUM: '1' },
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  if (script.status !== 0) return { error: `${SCRIPT} failed (exit ${script.status ?? script.signal})` };
  process.stderr.write(`system pieces ready; the tests run with:\n${script.stdout}`);
  // Its last lines are shell `export` statements: let bash evaluate them, then read the whole environment back.
  const evaluated = spawnSync('bash', ['-c', 'eval "$1" && env -0', 'system-deps', script.stdout], { env, encoding: 'utf8', maxBuffer: 16 << 20 });
  if (evaluated.status !== 0) return { error: `could not evaluate what ${SCRIPT} printed:\n${script.stdout}` };
  const next = {};
  for (const entry of evaluated.stdout.split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) next[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return { env: next };
}

/**
 * Makes sure the system pieces are there and returns the environment the tests run in (`env` plus the Vulkan
 * driver's variables). Exits the process with status 1 and the command to run when it cannot.
 */
export function ensureSystemDeps(env = process.env) {
  const canInstall = process.getuid?.() === 0 && succeeds('apt-get', ['--version']);
  if (canInstall) {
    const result = runInstallScript(env);
    if (result.env) return result.env;
    return refuse([result.error]);
  }
  const missing = missingSystemDeps(env);
  if (missing.length > 0) return refuse(missing);
  // Everything is installed: the script only prints the driver's environment (no root needed).
  if (!wantsWebgpu(env)) return env;
  const result = runInstallScript(env);
  return result.env ?? refuse([result.error]);
}

function refuse(problems) {
  process.stderr.write(
    [
      'npm test cannot run here yet:',
      ...problems.map((p) => `  - ${p}`),
      'Install the system pieces once (Debian/Ubuntu, needs root and apt), then run npm test again:',
      `  ${INSTALL_COMMAND}`,
      '',
    ].join('\n'),
  );
  process.exit(1);
}
