import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { syntheticLibrary } from './helpers/synthetic-library';
import { TINY_CONFIG } from './helpers/tiny-config';
import { writeLibrary } from './helpers/write-library';

// `loragen train` runs in a child process (the CLI's TypeScript source through swc, as jest runs it). One run
// goes through; another is killed with SIGKILL twice (once in each stage) and resumed with --resume each time.
// On cpu the final weights must be byte-identical.

const PKG = path.resolve(__dirname, '..');
const CLI = [path.join(__dirname, 'helpers/run-ts.cjs'), path.join(PKG, 'src/cli/main.ts')];

let work: string;
let library: string;
let configFile: string;

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'loragen-resume-'));
  library = path.join(work, 'library');
  await writeLibrary(library, syntheticLibrary().tasks);
  configFile = path.join(work, 'config.json');
  const config = {
    ...TINY_CONFIG,
    autoencoder: { ...TINY_CONFIG.autoencoder, steps: 40 },
    diffusion: { ...TINY_CONFIG.diffusion, steps: 40 },
    checkpointEvery: 5,
  };
  fs.writeFileSync(configFile, JSON.stringify(config));
});

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

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

/** Starts (or resumes) training and kills it with SIGKILL as soon as a checkpoint of `stage` exists. */
async function killDuring(out: string, stage: string, resume: boolean): Promise<void> {
  const child = train(out, resume);
  const done = finish(child);
  const timer = setInterval(() => {
    if (latestStage(out) === stage) child.kill('SIGKILL');
  }, 20);
  const result = await done;
  clearInterval(timer);
  expect(result.signal).toBe('SIGKILL'); // it was killed mid-run, not finished
}

it('a run killed with SIGKILL in each stage and resumed ends with the same weights as an uninterrupted one (cpu)', async () => {
  const straight = path.join(work, 'straight');
  const a = await finish(train(straight, false));
  expect(a.err).not.toMatch(/Error/);
  expect(a.code).toBe(0);

  const resumed = path.join(work, 'resumed');
  await killDuring(resumed, 'autoencoder', false);
  await killDuring(resumed, 'diffusion', true);
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
  const bad = path.join(work, 'bad.json');
  fs.writeFileSync(bad, JSON.stringify({ diffusion: { heads: 0 } }));
  const r = spawnSync(process.execPath, [...CLI, 'train', '--library', library, '--out', path.join(work, 'x'), '--config', bad, '--backend', 'cpu', '--json'], {
    encoding: 'utf8',
  });
  expect(r.status).toBe(3);
  const err = JSON.parse(r.stdout).error;
  expect(err.name).toBe('ConfigError');
  expect(err.message).toMatch(/'diffusion\.heads' = 0/);
  expect(err.hint).toBeTruthy();
});
