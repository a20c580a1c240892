import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readPeftAdapter } from '@loragen/lora-io/node';
import { readLatestTrainingCheckpoint } from '../src/checkpoint/training-checkpoints';
import { poisonAdapter, poisonSafetensors, rewriteCheckpointFile, snapshot } from './helpers/corrupt';
import { assertCliBuilt, runBuiltCli, startBuiltCli, type CliRun } from './helpers/run-cli';
import { syntheticLibrary } from './helpers/synthetic-library';
import { TINY_CONFIG } from './helpers/tiny-config';
import { writeLibrary } from './helpers/write-library';

// The built `loragen` command, run in child processes as a user runs it, over bad inputs to train, generate, inspect
// and analyze. Each case checks the exit code, that stderr names the culprit and carries a hint, that there is no
// stack trace, and that nothing was written (the whole work folder is unchanged). Set LORAGEN_CLI_MATRIX=FILE to
// get the table of cases, exit codes and error lines.

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'loragen-bad-inputs-'));
const at = (...p: string[]) => path.join(work, ...p);
const out = (name: string) => at('out', name); // never created by a refused command
const QUICK = { ...TINY_CONFIG, autoencoder: { ...TINY_CONFIG.autoencoder, steps: 3 }, diffusion: { ...TINY_CONFIG.diffusion, steps: 3 } };
const STACK = /^\s+at .+(:\d+:\d+\)?|\(native\))$/m;
const HINT = /^ {2}hint: \S/m;
const NOBODY = 65534;
const { tasks } = syntheticLibrary();
const train = (...args: string[]) => ['train', '--backend', 'cpu', ...args];
const generate = (model: string, ...args: string[]) => [
  'generate',
  '--backend',
  'cpu',
  '--model',
  model,
  '--description',
  'brief sentiment task',
  ...args,
];

/** A spoiled copy of a fixture: what is wrong (the case's name), how (`spoil` gets the copy's folder), what stderr must name. */
interface Spoiled {
  what: string;
  spoil: (dir: string) => void | Promise<unknown>;
  culprit: (dir: string) => (string | RegExp)[];
}

/** Spoiled copies of the trained model, each refused by `generate` with exit 3. */
const models: Record<string, Spoiled> = {
  'model-empty': {
    what: '--model empty folder',
    spoil: (dir) => {
      fs.rmSync(dir, { recursive: true });
      fs.mkdirSync(dir);
    },
    culprit: (dir) => [path.join(dir, 'manifest.json')],
  },
  'model-truncated': {
    what: 'truncated weights.safetensors',
    spoil: (dir) => fs.truncateSync(path.join(dir, 'weights.safetensors'), 200),
    culprit: (dir) => [`${path.join(dir, 'weights.safetensors')} is corrupt: 200 bytes`],
  },
  'model-corrupt-json': {
    what: 'corrupt config.json',
    spoil: (dir) => rewriteCheckpointFile(dir, 'config.json', '{"format": "loragen-model", "version": 1,'),
    culprit: (dir) => [`${path.join(dir, 'config.json')} is not valid JSON`],
  },
  'model-foreign-json': {
    what: 'foreign config.json',
    spoil: (dir) => rewriteCheckpointFile(dir, 'config.json', JSON.stringify({ peft_type: 'LORA', r: 2 })),
    culprit: (dir) => [`${path.join(dir, 'config.json')} is not a LoRAGen model description`],
  },
  'model-other-layout': {
    what: 'weights of another layout',
    spoil: (dir) => editMeta(dir, (meta) => (meta.config.autoencoder.latentDim = 6)),
    culprit: (dir) => [path.join(dir, 'weights.safetensors'), 'the encoder needs'],
  },
  'model-nan': {
    what: 'NaN in the weights',
    spoil: (dir) => rewriteCheckpointFile(dir, 'weights.safetensors', poisonSafetensors(weights(dir), NaN, 'decoder/experts/hidden/kernel').bytes),
    culprit: (dir) => [path.join(dir, 'weights.safetensors'), "tensor 'decoder/experts/hidden/kernel' holds NaN at [0, 1]"],
  },
  'model-inf': {
    what: '-Infinity in the weights',
    spoil: (dir) => rewriteCheckpointFile(dir, 'weights.safetensors', poisonSafetensors(weights(dir), -Infinity, 'denoiser/time.fc1.kernel').bytes),
    culprit: (dir) => [path.join(dir, 'weights.safetensors'), "tensor 'denoiser/time.fc1.kernel' holds -Infinity"],
  },
  'model-inf-embedding': {
    what: 'Infinity in the text embedding (saved centre)',
    // JSON has no Infinity: 1e999 parses to it.
    spoil: (dir) =>
      editMeta(
        dir,
        (meta) => (meta.textEncoder.options.center = Array.from({ length: meta.textEncoder.dim }, (_, i) => (i === 5 ? 'INF' : 0))),
        (t) => t.replace('"INF"', '1e999'),
      ),
    culprit: (dir) => [path.join(dir, 'config.json'), 'center holds Infinity at [5]'],
  },
  'model-overflow': {
    what: 'generated update overflows',
    spoil: (dir) => editMeta(dir, (meta) => (meta.latentNormalizer = { shift: 0, scale: 3e38 })),
    culprit: () => ['"brief sentiment task"', /module '[^']+', tensor lora_[AB]\.weight: (NaN|-?Infinity)/],
  },
};
/** Spoiled copies of the library, each refused by `train` with exit 3. */
const libraries: Record<string, Spoiled> = {
  'lib-nan': {
    what: 'NaN in a library adapter',
    spoil: (dir) => poisonAdapter(path.join(dir, 'sentiment-brief'), NaN),
    culprit: () => ["task 'sentiment-brief'", /module '[^']*layers\.0\.self_attn\.v_proj', tensor lora_B\.weight: NaN at \[1, 1\]/],
  },
  'lib-inf': {
    what: 'Infinity in a library adapter',
    spoil: (dir) => poisonAdapter(path.join(dir, 'arithmetic-detailed'), Infinity),
    culprit: () => ["task 'arithmetic-detailed'", 'tensor lora_B.weight: Infinity'],
  },
  'lib-truncated': {
    what: 'truncated adapter_model.safetensors',
    spoil: (dir) => fs.truncateSync(path.join(dir, 'arithmetic-brief', 'adapter_model.safetensors'), 50),
    culprit: (dir) => [path.join(dir, 'arithmetic-brief', 'adapter_model.safetensors')],
  },
  'lib-bad-descriptions': {
    what: 'corrupt descriptions.json',
    spoil: (dir) => fs.writeFileSync(path.join(dir, 'translation-brief', 'descriptions.json'), '["first", '),
    culprit: (dir) => [path.join(dir, 'translation-brief', 'descriptions.json'), 'not valid JSON'],
  },
  'lib-foreign': {
    what: 'foreign adapter_config.json (IA3)',
    spoil: (dir) => {
      const config = path.join(dir, 'sentiment-detailed', 'adapter_config.json');
      fs.writeFileSync(config, JSON.stringify({ ...JSON.parse(fs.readFileSync(config, 'utf8')), peft_type: 'IA3' }));
    },
    culprit: (dir) => [path.join(dir, 'sentiment-detailed'), 'peft_type is "IA3"'],
  },
};

/** Spoiled copies of a library adapter (sentiment-brief), each refused by `inspect` with exit 3 (spoilt after the test model is trained). */
const adapters: Record<string, Spoiled> = {
  'adapter-truncated': {
    what: 'truncated adapter_model.safetensors',
    spoil: (dir) => fs.truncateSync(path.join(dir, 'adapter_model.safetensors'), 5),
    culprit: (dir) => [path.join(dir, 'adapter_model.safetensors'), 'shorter than the 8-byte header'],
  },
  'adapter-corrupt-config': {
    what: 'corrupt adapter_config.json',
    spoil: (dir) => fs.writeFileSync(path.join(dir, 'adapter_config.json'), '{"peft_type": "LORA", "r": '),
    culprit: (dir) => [dir, 'adapter_config.json is not valid JSON'],
  },
  'adapter-foreign-config': {
    what: "foreign adapter_config.json (a model's config.json)",
    spoil: (dir) => fs.copyFileSync(path.join(at('model'), 'config.json'), path.join(dir, 'adapter_config.json')),
    culprit: (dir) => [dir, 'from adapter_config.json'],
  },
  'adapter-nan': {
    what: 'NaN in an adapter',
    spoil: (dir) => poisonAdapter(dir, NaN),
    culprit: (dir) => [dir, /module '[^']*layers\.0\.self_attn\.v_proj', tensor lora_B\.weight: NaN/],
  },
  'adapter-inf': {
    what: 'Infinity in an adapter',
    spoil: (dir) => poisonAdapter(dir, Infinity),
    culprit: (dir) => [dir, 'tensor lora_B.weight: Infinity'],
  },
  'adapter-ranks': {
    what: 'lora_A and lora_B ranks differ',
    spoil: async (dir) => {
      const ranks = await readPeftAdapter(dir);
      ranks.modules[0] = { ...ranks.modules[0], rank: 1, B: ranks.modules[0].B.subarray(0, ranks.modules[0].dOut) };
      await writeRanksMismatch(dir, ranks);
    },
    culprit: (dir) => [dir, 'lora_A has rank 2 but lora_B has rank 1'],
  },
};
const weights = (dir: string) => new Uint8Array(fs.readFileSync(path.join(dir, 'weights.safetensors')));
/** The parts of a saved model's config.json the cases edit. */
interface SavedMeta {
  config: { autoencoder: { latentDim: number } };
  textEncoder: { dim: number; options: { center?: (number | string)[] } };
  latentNormalizer: { shift: number; scale: number };
}
function editMeta(dir: string, edit: (meta: SavedMeta) => void, text: (t: string) => string = (t) => t): void {
  const meta = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as SavedMeta;
  edit(meta);
  rewriteCheckpointFile(dir, 'config.json', text(JSON.stringify(meta)));
}

interface Case {
  id: string;
  argv: string[];
  code: number;
  /** What stderr must name: the path, task, module, tensor or value at fault. */
  culprit: (string | RegExp)[];
  /** Run as an unprivileged user (when the tests run as root, permissions bind only others). */
  asNobody?: boolean;
}

const CASES: Case[] = [
  // train
  { id: 'train: --library missing', argv: train('--library', at('nope'), '--out', out('t')), code: 3, culprit: [`no library at ${at('nope')}`] },
  { id: 'train: --library is a file', argv: train('--library', at('a-file'), '--out', out('t')), code: 3, culprit: [`${at('a-file')} is a file`] },
  {
    id: 'train: --library empty',
    argv: train('--library', at('lib-empty'), '--out', out('t')),
    code: 3,
    culprit: [`${at('lib-empty')} holds no task folders`],
  },
  {
    id: 'train: library of one task',
    argv: train('--library', at('lib-one'), '--out', out('t')),
    code: 3,
    culprit: [at('lib-one'), '1 task(s) (sentiment-brief)'],
  },
  {
    id: 'train: mismatched layouts',
    argv: train('--library', at('lib-layout'), '--out', out('t')),
    code: 3,
    culprit: ["task 'z-odd-shape'", 'is 8x16 (dOut x dIn) instead of 16x16'],
  },
  ...Object.entries(libraries).map(([name, { what, culprit }]) => ({
    id: `train: ${what}`,
    argv: train('--library', at(name), '--out', out('t')),
    code: 3,
    culprit: culprit(at(name)),
  })),
  {
    id: 'train: --config missing',
    argv: train('--library', at('lib'), '--out', out('t'), '--config', at('nope.json')),
    code: 3,
    culprit: [`no config file at ${at('nope.json')}`],
  },
  {
    id: 'train: --config is a folder',
    argv: train('--library', at('lib'), '--out', out('t'), '--config', at('lib')),
    code: 3,
    culprit: [`${at('lib')} is a folder`],
  },
  {
    id: 'train: --config corrupt JSON',
    argv: train('--library', at('lib'), '--out', out('t'), '--config', at('config-corrupt.json')),
    code: 3,
    culprit: [at('config-corrupt.json'), 'not valid JSON'],
  },
  {
    id: 'train: --config foreign JSON (an adapter_config.json)',
    argv: train('--library', at('lib'), '--out', out('t'), '--config', at('config-foreign.json')),
    code: 3,
    culprit: [at('config-foreign.json'), "unknown field(s) 'peft_type'"],
  },
  { id: 'train: --out is a file', argv: train('--library', at('lib'), '--out', at('a-file')), code: 3, culprit: [`--out ${at('a-file')} is a file`] },
  {
    id: 'train: --out non-empty folder',
    argv: train('--library', at('lib'), '--out', at('non-empty')),
    code: 3,
    culprit: [`--out ${at('non-empty')} is not empty (it holds notes.txt)`],
  },
  {
    id: 'train: --out under /proc (unwritable)',
    argv: train('--library', at('lib'), '--out', '/proc/loragen-out'),
    code: 3,
    culprit: ['--out /proc/loragen-out is not writable'],
  },
  {
    id: 'train: --out in a read-only folder',
    argv: train('--library', at('lib'), '--out', at('read-only', 'model')),
    code: 3,
    culprit: [`--out ${at('read-only', 'model')} is not writable`],
    asNobody: true,
  },
  {
    id: 'train: training diverges (loss NaN)',
    argv: train('--library', at('lib'), '--out', out('t'), '--config', at('config-diverge.json')),
    code: 3,
    culprit: [/stage 1 \(autoencoder\): the training loss is (NaN|-?Infinity) at step \d of 3/],
  },
  {
    id: 'train: --resume from a checkpoint holding NaN',
    argv: train('--library', at('lib'), '--out', at('resume-nan'), '--config', at('quick.json'), '--resume'),
    code: 3,
    culprit: [at('resume-nan', 'checkpoints'), "tensor 'encoder/", 'NaN'],
  },
  // generate
  { id: 'generate: --model missing', argv: generate(at('nope'), '--out', out('g')), code: 3, culprit: [`no model at ${at('nope')}`] },
  { id: 'generate: --model is a file', argv: generate(at('a-file'), '--out', out('g')), code: 3, culprit: [`${at('a-file')} is a file`] },
  ...Object.entries(models).map(([name, { what, culprit }]) => ({
    id: `generate: ${what}`,
    argv: generate(at(name), '--out', out('g')),
    code: 3,
    culprit: culprit(at(name)),
  })),
  { id: 'generate: --out is a file', argv: generate(at('model'), '--out', at('a-file')), code: 3, culprit: [`--out ${at('a-file')} is a file`] },
  {
    id: 'generate: --out non-empty folder',
    argv: generate(at('model'), '--out', at('non-empty')),
    code: 3,
    culprit: [`--out ${at('non-empty')} is not empty`, '--force'],
  },
  {
    id: 'generate: --out under /proc (unwritable)',
    argv: generate(at('model'), '--out', '/proc/loragen-out'),
    code: 3,
    culprit: ['--out /proc/loragen-out is not writable'],
  },
  {
    id: 'generate: --out in a read-only folder',
    argv: generate(at('model'), '--out', at('read-only', 'adapter')),
    code: 3,
    culprit: [`--out ${at('read-only', 'adapter')} is not writable`],
    asNobody: true,
  },
  // inspect
  { id: 'inspect: missing folder', argv: ['inspect', at('nope')], code: 3, culprit: [`no adapter at ${at('nope')}`] },
  { id: 'inspect: a file', argv: ['inspect', at('a-file')], code: 3, culprit: [`${at('a-file')} is a file`] },
  { id: 'inspect: empty folder', argv: ['inspect', at('lib-empty')], code: 3, culprit: [`${at('lib-empty')} has no adapter_config.json`] },
  ...Object.entries(adapters).map(([name, { what, culprit }]) => ({
    id: `inspect: ${what}`,
    argv: ['inspect', at(name)],
    code: 3,
    culprit: culprit(at(name)),
  })),
  // analyze
  {
    id: 'analyze: --library missing',
    argv: ['analyze', '--library', at('nope'), '--out', out('a')],
    code: 3,
    culprit: [`no library at ${at('nope')}`],
  },
  {
    id: 'analyze: NaN in a library adapter',
    argv: ['analyze', '--library', at('lib-nan'), '--out', out('a')],
    code: 3,
    culprit: ["task 'sentiment-brief'", 'tensor lora_B.weight: NaN'],
  },
  {
    id: 'analyze: library of one task',
    argv: ['analyze', '--library', at('lib-one'), '--out', out('a')],
    code: 3,
    culprit: [at('lib-one'), '1 task(s)'],
  },
  {
    id: 'analyze: mismatched layouts',
    argv: ['analyze', '--library', at('lib-layout'), '--out', out('a')],
    code: 3,
    culprit: ["task 'z-odd-shape'"],
  },
  {
    id: 'analyze: --out is a file',
    argv: ['analyze', '--library', at('lib'), '--out', at('a-file')],
    code: 3,
    culprit: [`--out ${at('a-file')} is a file`],
  },
  {
    id: 'analyze: --out non-empty folder',
    argv: ['analyze', '--library', at('lib'), '--out', at('non-empty')],
    code: 3,
    culprit: [`--out ${at('non-empty')} is not empty`],
  },
  {
    id: 'analyze: --out under /proc (unwritable)',
    argv: ['analyze', '--library', at('lib'), '--out', '/proc/loragen-out'],
    code: 3,
    culprit: ['--out /proc/loragen-out is not writable'],
  },
  // usage
  { id: 'train: --out missing (usage)', argv: train('--library', at('lib')), code: 2, culprit: ['missing --out'] },
  {
    id: 'generate: --samples 0 (usage)',
    argv: generate(at('model'), '--out', out('g'), '--samples', '0'),
    code: 2,
    culprit: ['--samples must be at least 1'],
  },
  {
    id: 'train: --backend gpu (usage)',
    argv: ['train', '--backend', 'gpu', '--library', at('lib'), '--out', out('t')],
    code: 2,
    culprit: ["--backend must be one of cpu, wasm, webgpu, tensorflow, got 'gpu'"],
  },
];

/** The matrix as the closing note of the issue lists it. */
const rows: string[] = [];
const errorLine = (stderr: string) => stderr.split('\n').find((l) => l.startsWith('loragen')) ?? stderr.split('\n')[0];
const record = (id: string, argv: string[], r: CliRun) =>
  rows.push(`| ${id} | \`loragen ${argv.join(' ').split(work).join('W')}\` | ${r.code ?? r.signal} | ${errorLine(r.stderr).split(work).join('W')} |`);

let before: string[];
const asRoot = process.getuid?.() === 0;
/**
 * Permission bits do not bind root: as root, the read-only cases run the CLI as uid 65534, which needs a checkout
 * others can read. Where they cannot (a clone in root's 0700 home, say), those cases are reported as skipped; the
 * /proc cases still cover an unwritable --out.
 */
const permissionsTestable = !asRoot || runBuiltCli(['--help'], { uid: NOBODY, gid: NOBODY }).code === 0;

beforeAll(async () => {
  assertCliBuilt();
  fs.chmodSync(work, 0o755); // an unprivileged child must reach the fixtures
  fs.writeFileSync(at('a-file'), 'not a folder\n');
  fs.mkdirSync(at('non-empty'));
  fs.writeFileSync(at('non-empty', 'notes.txt'), 'my notes\n');
  fs.mkdirSync(at('read-only'));
  fs.chmodSync(at('read-only'), 0o555);
  fs.mkdirSync(at('lib-empty'));
  fs.writeFileSync(at('quick.json'), JSON.stringify(QUICK));
  fs.writeFileSync(at('config-corrupt.json'), '{ "seed": 1,');
  fs.writeFileSync(at('config-diverge.json'), JSON.stringify({ ...QUICK, autoencoder: { ...QUICK.autoencoder, learningRate: 1e30 } }));

  await writeLibrary(at('lib'), tasks);
  await writeLibrary(at('lib-one'), tasks.slice(0, 1));
  const odd = syntheticLibrary({ dOut: 8 }).tasks[0];
  await writeLibrary(at('lib-layout'), [...tasks.slice(0, 3), { ...odd, name: 'z-odd-shape' }]);
  for (const [name, { spoil }] of Object.entries(libraries)) {
    fs.cpSync(at('lib'), at(name), { recursive: true });
    await spoil(at(name));
  }
  fs.copyFileSync(path.join(at('lib'), 'sentiment-brief', 'adapter_config.json'), at('config-foreign.json'));

  const trained = runBuiltCli(train('--library', at('lib'), '--out', at('model'), '--config', at('quick.json')));
  if (trained.code !== 0) throw new Error(`training the test model failed: ${trained.stderr}`);
  for (const [name, { spoil }] of Object.entries(adapters)) {
    fs.cpSync(path.join(at('lib'), 'sentiment-brief'), at(name), { recursive: true });
    await spoil(at(name));
  }
  for (const [name, { spoil }] of Object.entries(models)) {
    fs.cpSync(at('model'), at(name), { recursive: true });
    fs.rmSync(path.join(at(name), 'checkpoints'), { recursive: true });
    await spoil(at(name));
  }
  fs.cpSync(at('model'), at('resume-nan'), { recursive: true });
  const ckpt = path.join(at('resume-nan'), 'checkpoints', fs.readFileSync(path.join(at('model'), 'checkpoints', 'LATEST'), 'utf8').trim());
  rewriteCheckpointFile(ckpt, 'weights.safetensors', poisonSafetensors(weights(ckpt), NaN, 'encoder/0/a/kernel').bytes);

  before = snapshot(work);
}, 120_000);

afterAll(() => {
  if (process.env.LORAGEN_CLI_MATRIX) {
    fs.writeFileSync(
      process.env.LORAGEN_CLI_MATRIX,
      ['| case | command | exit | first line of the error |', '| --- | --- | --- | --- |', ...rows, ''].join('\n'),
    );
  }
  fs.chmodSync(at('read-only'), 0o755);
  fs.rmSync(work, { recursive: true, force: true });
});

/** A PEFT folder whose first module has lora_A of rank 2 but lora_B of rank 1 (writePeftAdapter would refuse it). */
async function writeRanksMismatch(dir: string, adapter: Awaited<ReturnType<typeof readPeftAdapter>>): Promise<void> {
  const { serializeSafetensors } = await import('@loragen/lora-io');
  const tensors: Record<string, { dtype: 'F32'; shape: number[]; data: Float32Array }> = {};
  for (const m of adapter.modules) {
    const r = m.B.length / m.dOut;
    tensors[`${m.name}.lora_A.weight`] = { dtype: 'F32', shape: [m.A.length / m.dIn, m.dIn], data: Float32Array.from(m.A) };
    tensors[`${m.name}.lora_B.weight`] = { dtype: 'F32', shape: [m.dOut, r], data: Float32Array.from(m.B) };
  }
  fs.writeFileSync(path.join(dir, 'adapter_model.safetensors'), serializeSafetensors(tensors));
}

describe('loragen refuses bad inputs: exit code, the culprit named, a hint, no stack trace, nothing written', () => {
  const testable = CASES.filter((c) => !c.asNobody || permissionsTestable);
  const untestable = CASES.filter((c) => !testable.includes(c));
  it.each(testable.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const r = runBuiltCli(c.argv, c.asNobody && asRoot ? { uid: NOBODY, gid: NOBODY } : {});
    record(c.id, c.argv, r);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: c.code, stderr: expect.stringMatching(HINT) });
    for (const culprit of c.culprit) {
      if (typeof culprit === 'string') expect(r.stderr).toContain(culprit);
      else expect(r.stderr).toMatch(culprit);
    }
    expect(r.stderr).not.toMatch(STACK);
    expect(snapshot(work)).toEqual(before);
  });
  for (const c of untestable) it.skip(`${c.id} (as root, uid ${NOBODY} cannot read this checkout)`, () => undefined);
});

describe('interrupted while writing: nothing half-written is left', () => {
  /** Starts `generate` of many samples into a new folder and sends `signal` once its temporary folder appears. */
  async function interruptGenerate(signal: NodeJS.Signals): Promise<{ run: CliRun; parent: string; argv: string[] }> {
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'loragen-signal-'));
    const argv = generate(at('model'), '--out', path.join(parent, 'adapters'), '--samples', '64', '--steps', '4');
    const { child, done } = startBuiltCli(argv);
    const watcher = fs.watch(parent, (_event, name) => {
      if (name?.startsWith('.adapters.')) {
        watcher.close();
        child.kill(signal);
      }
    });
    const run = await done;
    watcher.close();
    return { run, parent, argv };
  }

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('generate: %s mid-write exits %i and leaves no adapter folder and no temporary one', async (signal, code) => {
    const { run, parent, argv } = await interruptGenerate(signal);
    record(`generate: ${signal} mid-write`, argv, run);
    expect(run.stderr).toMatch(new RegExp(`${signal === 'SIGINT' ? 'interrupted' : 'terminated'}: stopping`));
    expect(run.code).toBe(code);
    expect(run.stderr).toMatch(/AbortedError: generation was stopped\n {2}hint: /);
    expect(run.stderr).not.toMatch(STACK);
    expect(fs.readdirSync(parent)).toEqual([]);
    fs.rmSync(parent, { recursive: true });
  });

  it('train: SIGTERM mid-training exits 143 with a complete checkpoint and no model files', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loragen-signal-'));
    const config = path.join(dir, 'long.json');
    fs.writeFileSync(config, JSON.stringify({ ...QUICK, autoencoder: { ...QUICK.autoencoder, steps: 2000 } }));
    const argv = train('--library', at('lib'), '--out', path.join(dir, 'model'), '--config', config);
    const { child, done } = startBuiltCli(argv);
    let sent = false; // once: a second signal quits at once, without the checkpoint
    child.stderr!.on('data', (d: Buffer) => {
      if (!sent && String(d).includes('stage 1 (autoencoder) [')) sent = child.kill('SIGTERM');
    });
    const run = await done;
    record('train: SIGTERM mid-training', argv, run);
    expect(run.code).toBe(143);
    expect(run.stderr).toMatch(/terminated: saving a checkpoint[\s\S]*AbortedError: training was stopped\n {2}hint: resume it/);
    expect(run.stderr).not.toMatch(STACK);
    expect(fs.readdirSync(path.join(dir, 'model'))).toEqual(['checkpoints']); // no config.json, weights or manifest
    const files = await readLatestTrainingCheckpoint(path.join(dir, 'model', 'checkpoints')); // checked against its manifest
    expect(JSON.parse(new TextDecoder().decode(files!['training.json'])).stage).toBe('autoencoder');
    fs.rmSync(dir, { recursive: true });
  });
});

describe('--out on an existing folder, as documented', () => {
  it("generate --force writes only the adapter files beside the folder's other files, and says so", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loragen-force-'));
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'my notes\n');
    const r = runBuiltCli(generate(at('model'), '--out', dir, '--force'));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/adapter files only, beside the files already there/);
    expect(fs.readdirSync(dir).sort()).toEqual(['adapter_config.json', 'adapter_model.safetensors', 'notes.txt']);
    expect(fs.readFileSync(path.join(dir, 'notes.txt'), 'utf8')).toBe('my notes\n');
    expect((await readPeftAdapter(dir)).modules).toHaveLength(tasks[0].adapter.modules.length);
    fs.rmSync(dir, { recursive: true });
  });

  it('--debug (or LORAGEN_DEBUG=1) adds the stack trace', () => {
    expect(runBuiltCli(['inspect', at('nope'), '--debug']).stderr).toMatch(STACK);
    expect(runBuiltCli(['inspect', at('nope')], { env: { ...process.env, LORAGEN_DEBUG: '1' } }).stderr).toMatch(STACK);
  });
});
