import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempFolder } from '@loragen/test-utils';
import { syntheticLibrary } from './helpers/synthetic-library';
import { TINY_CONFIG } from './helpers/tiny-config';
import { writeLibrary } from './helpers/write-library';

// `loragen train` runs in a child process (the CLI's TypeScript source through swc, as jest runs it). One run
// goes through; another is interrupted with SIGINT in stage 1 and killed with SIGKILL in stage 2, and resumed with
// --resume each time.
// On cpu the final weights must be byte-identical.

const PKG = path.resolve(__dirname, '..');
const CLI = [path.join(__dirname, 'helpers/run-ts.cjs'), path.join(PKG, 'src/cli/main.ts')];

const work = tempFolder('loragen-resume-');
let library: string;
let configFile: string;

beforeAll(async () => {
  library = path.join(work(), 'library');
  await writeLibrary(library, syntheticLibrary().tasks);
  configFile = path.join(work(), 'config.json');
  const config = {
    ...TINY_CONFIG,
    // an autoencoder EMA too, so that resuming stage 1 must restore its averages as well as Adam's moments
    autoencoder: { ...TINY_CONFIG.autoencoder, steps: 40, emaDecay: 0.9 },
    diffusion: { ...TINY_CONFIG.diffusion, steps: 40 },
    checkpointEvery: 5,
  };
  fs.writeFileSync(configFile, JSON.stringify(config));
});

function train(out: string, resume: boolean) {
  const args = [...CLI, 'train', '--library', library, '--out', out, '--config', configFile, '--backend', 'cpu', '--json'];
  return spawn(process.execPath, resume ? [...args, '--resume'] : args, { stdio: ['ignore', 'pipe', 'pipe'] });
}

function finish(child: ReturnType<typeof train>): Promise<{ code: number | null; signal: string | null; out: string; err: string }> {
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, out, err })));
}

/** The stage of the newest checkpoint, once one exists. */
function latestStage(out: string): string | undefined {
  try {
    const name = fs.readFileSync(path.join(out, 'checkpoints', 'LATEST'), 'utf8').trim();
    return JSON.parse(fs.readFileSync(path.join(out, 'checkpoints', name, 'training.json'), 'utf8')).stage;
  } catch {
    return undefined;
  }
}

/** Starts (or resumes) training and sends `signal` once, as soon as a checkpoint of `stage` exists. */
async function stopDuring(out: string, stage: string, resume: boolean, signal: 'SIGKILL' | 'SIGINT') {
  const child = train(out, resume);
  const done = finish(child);
  const timer = setInterval(() => {
    if (latestStage(out) === stage) {
      clearInterval(timer);
      child.kill(signal);
    }
  }, 20);
  const result = await done;
  clearInterval(timer);
  return result;
}

it('a run stopped by Ctrl-C in stage 1 and SIGKILL in stage 2, resumed each time, ends with the same weights as an uninterrupted one (cpu)', async () => {
  const straight = path.join(work(), 'straight');
  const a = await finish(train(straight, false));
  expect(a.err).not.toMatch(/Error/);
  expect(a.code).toBe(0);

  const resumed = path.join(work(), 'resumed');
  // Ctrl-C in stage 1: a checkpoint is written and the CLI exits with 130
  const interrupted = await stopDuring(resumed, 'autoencoder', false, 'SIGINT');
  expect(interrupted.code).toBe(130);
  expect(interrupted.err).toMatch(/interrupted: saving a checkpoint/);
  // SIGKILL in stage 2: nothing can be saved; the last periodic checkpoint is resumed
  const killed = await stopDuring(resumed, 'diffusion', true, 'SIGKILL');
  expect(killed.signal).toBe('SIGKILL');
  const b = await finish(train(resumed, true));
  expect(b.code).toBe(0);

  const weights = (dir: string) => fs.readFileSync(path.join(dir, 'weights.safetensors'));
  expect(weights(resumed).equals(weights(straight))).toBe(true);
  expect(fs.readFileSync(path.join(resumed, 'config.json'), 'utf8')).toBe(fs.readFileSync(path.join(straight, 'config.json'), 'utf8'));
});

it('exits 2 on a usage error and 3 with a typed error for a bad config file', () => {
  const usage = spawnSync(process.execPath, [...CLI, 'train', '--library', library], { encoding: 'utf8' });
  expect(usage.status).toBe(2);
  expect(usage.stderr).toMatch(/missing --out/);
  const bad = path.join(work(), 'bad.json');
  fs.writeFileSync(bad, JSON.stringify({ diffusion: { heads: 0 } }));
  const r = spawnSync(
    process.execPath,
    [...CLI, 'train', '--library', library, '--out', path.join(work(), 'x'), '--config', bad, '--backend', 'cpu', '--json'],
    {
      encoding: 'utf8',
    },
  );
  expect(r.status).toBe(3);
  const err = JSON.parse(r.stdout).error;
  expect(err.name).toBe('ConfigError');
  expect(err.message).toMatch(/'diffusion\.heads' = 0/);
  expect(err.hint).toBeTruthy();
});
