// `npm run bench:paper`: the paper's evaluation table at laptop scale. Trains every LoRAGen variant for each
// seed on the library's training tasks, measures all methods on in-distribution and zero-shot tasks, and writes
// benchmarks/paper/results.json, results.md and results.svg. `--jobs N` runs seeds in N child processes.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { cpus, hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { useBackend, type BackendName, type FitProgress, type LoraGenConfigInput } from '@loragen/core';
import { runSeed, type SeedResult } from '../benchmark/experiment';
import { LORAGEN_VARIANTS, METHOD_IDS, type MethodId } from '../benchmark/methods';
import { resultsChart } from '../benchmark/report-chart';
import { resultsMarkdown } from '../benchmark/report-markdown';
import { mergeSeedResults, readSeedFile, writeSeedFile } from '../benchmark/seed-file';
import { summarise } from '../benchmark/summary';
import { writeJsonAtomic, writeTextAtomic } from '../library/write-text';
import { listTasks, ZERO_SHOT_TASK_IDS } from '../tasks/family';
import { integerArgument, parseArguments, UsageError } from './arguments';
import { fitProgressBars } from './fit-progress';
import { failWith } from './report-failure';
import { loadAssets } from './load-assets';
import { ASSETS_DIR, PAPER_RESULTS_DIR } from './paths';
import { BENCH_SCALE } from './scales';

const NOTES = [
  '**Setup.** Base model: a 4-layer, width-32 transformer (tfjs) pre-trained on a prompted mixture of all 62 tasks ' +
    '(yes/no questions about 8 digits: contains / absent / first / last / twice for each digit, max-at-least / ' +
    'min-at-most for 6 thresholds). Evaluation uses a neutral prompt, so only the weights can say which task to do. ' +
    'Library: one rank-4 LoRA on q_proj and v_proj of every layer per task (150 Adam steps, one shared init). ' +
    "LoRAGen: the paper's architecture and losses (per-type encoders, top-2 MoE decoder, angular + spectral losses " +
    'on dW, v-prediction latent diffusion) at a compact size, trained with a 200-step warm-up and cosine decay of ' +
    'both learning rates and standardised latents, conditioned on IDF-weighted hashed description embeddings ' +
    'centred on the library and anchored to the library\'s task conditions (`sampling.anchoring`, weight 1, ' +
    'temperature 0.01; not in the paper); DDIM 50 steps, guidance 2. `ridge-dw`: ridge regression from the ' +
    "description embedding to every position's dW over the training tasks (strength by leave-one-task-out error), " +
    'truncated to rank 4 from the factors. `t2l-hypernetwork`: Text-to-LoRA\'s recipe, an MLP from the description ' +
    "embedding to a code per position through LoRAGen's MoE decoder heads, trained end to end with the same dW losses " +
    "and budget as LoRAGen's stage 1 (no latent space, no diffusion). See examples/demo/README.md.",
  '**Held-out wordings.** Each task has 6 training descriptions and 2 more in sentence shapes the templates never ' +
    'use ("Tell me if ...", "Given a list of digits, report whether ..."), kept out of training and of ' +
    "`nearest-description`'s index; the held-out-wording column generates (or looks up) from each of them alone. " +
    'Methods that never read a description repeat their in-distribution numbers there.',
  "**Reading it against the paper.** The paper's numbers are FLAN-T5-large on NLP tasks; ours is a 62-task synthetic " +
    'family on a 50k-parameter model, so only the orderings and the claims are comparable, not the absolute values. ' +
    'Our `base` is near chance (50%) by construction. `nearest-description` in-distribution finds the task itself, ' +
    'so it equals `task-lora` there. Zero-shot transfer is not expected on this library: its task updates are ' +
    'nearly orthogonal even between tasks one digit apart (see the compositional-library issue).',
];

const training = () => listTasks().filter((t) => !ZERO_SHOT_TASK_IDS.includes(t.id));

/** Runs one seed in this process. */
async function oneSeed(seed: number, scale: typeof BENCH_SCALE, methods: readonly MethodId[], configOverrides: LoraGenConfigInput): Promise<SeedResult> {
  const assets = await loadAssets(ASSETS_DIR);
  const bars = new Map<string, (p: FitProgress) => void>();
  return runSeed({ ...assets, training: training(), evaluated: listTasks(), scale, configOverrides }, seed, methods, (p) => {
    if (!p.fit) return;
    if (!bars.has(p.method)) bars.set(p.method, fitProgressBars(`seed ${seed} ${p.method}`));
    bars.get(p.method)!(p.fit);
  });
}

/**
 * Runs seeds 1..count in child processes, at most `jobs` at a time. Each LoRAGen variant of a seed is a process of
 * its own (its training is the long part), and one more measures the other methods; each child writes its results
 * to a file, merged here per seed.
 */
async function seedsInChildren(count: number, jobs: number, methods: readonly MethodId[], childArgs: string[]): Promise<SeedResult[]> {
  const dir = await mkdtemp(join(tmpdir(), 'loragen-bench-'));
  const script = fileURLToPath(import.meta.url);
  const variants = methods.filter((m) => (LORAGEN_VARIANTS as readonly string[]).includes(m));
  const others = methods.filter((m) => !variants.includes(m));
  const groups = [...(others.length > 0 ? [others] : []), ...variants.map((v) => [v])];
  const units = Array.from({ length: count }, (_, i) => groups.map((group, g) => ({ seed: i + 1, group, file: join(dir, `${i + 1}-${g}.json`) }))).flat();
  const runChild = (unit: (typeof units)[number]) =>
    new Promise<void>((resolveChild, reject) => {
      const args = [script, '--only-seed', String(unit.seed), '--seed-file', unit.file, '--methods', unit.group.join(','), ...childArgs];
      const child = spawn(process.execPath, args, { stdio: 'inherit' });
      child.on('exit', (code) => (code === 0 ? resolveChild() : reject(new Error(`seed ${unit.seed} (${unit.group.join(', ')}) exited with code ${code}`))));
    });
  try {
    const queue = [...units];
    await Promise.all(Array.from({ length: Math.min(jobs, units.length) }, async () => {
      for (let unit = queue.shift(); unit !== undefined; unit = queue.shift()) await runChild(unit);
    }));
    return await Promise.all(
      Array.from({ length: count }, async (_, i) => mergeSeedResults(await Promise.all(units.filter((u) => u.seed === i + 1).map((u) => readSeedFile(u.file))))),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const args = parseArguments(process.argv.slice(2), ['seeds', 'jobs', 'backend', 'out', 'only-seed', 'seed-file', 'autoencoder-steps', 'diffusion-steps', 'methods', 'config']);
  // a child process runs exactly the methods its parent gives it
  const methods = methodList(args.get('methods'), !args.has('only-seed'));
  const configOverrides = configArgument(args.get('config'));
  const backend = await useBackend((args.get('backend') ?? 'wasm') as BackendName);
  const scale = {
    autoencoderSteps: integerArgument(args, 'autoencoder-steps', BENCH_SCALE.autoencoderSteps),
    diffusionSteps: integerArgument(args, 'diffusion-steps', BENCH_SCALE.diffusionSteps),
  };
  if (args.has('only-seed')) {
    const file = args.get('seed-file');
    if (!file) throw new UsageError('--only-seed needs --seed-file');
    await writeSeedFile(file, await oneSeed(integerArgument(args, 'only-seed', 1), scale, methods, configOverrides));
    return;
  }
  const seedCount = integerArgument(args, 'seeds', 3);
  const jobs = integerArgument(args, 'jobs', 1);
  const out = args.get('out') ?? PAPER_RESULTS_DIR;
  const started = Date.now();
  const seeds: SeedResult[] = [];
  const childArgs = ['--backend', backend, '--autoencoder-steps', String(scale.autoencoderSteps), '--diffusion-steps', String(scale.diffusionSteps), '--config', JSON.stringify(configOverrides)];
  if (jobs > 1) seeds.push(...(await seedsInChildren(seedCount, jobs, methods, childArgs)));
  else for (let seed = 1; seed <= seedCount; seed++) seeds.push(await oneSeed(seed, scale, methods, configOverrides));
  const results = summarise(
    seeds,
    { inDistribution: training().map((t) => t.id), zeroShot: [...ZERO_SHOT_TASK_IDS] },
    methods,
    { seconds: (Date.now() - started) / 1000, backend, machine: `${hostname()}, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown cpu'}), ${jobs} jobs`, budget: scale },
  );
  await mkdir(out, { recursive: true });
  const markdown = resultsMarkdown(results, NOTES);
  await writeJsonAtomic(join(out, 'results.json'), results);
  await writeTextAtomic(join(out, 'results.md'), markdown);
  await writeTextAtomic(join(out, 'results.svg'), resultsChart(results));
  process.stdout.write(`${markdown}\nwrote ${out}/results.{json,md,svg}\n`);
}

/** `--config JSON`: LoRAGen config fields laid over the compact config, e.g. '{"diffusion":{"steps":4000}}'. */
function configArgument(value: string | undefined): LoraGenConfigInput {
  if (value === undefined) return {};
  try {
    const parsed: unknown = JSON.parse(value);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as LoraGenConfigInput;
  } catch {
    // reported below
  }
  throw new UsageError(`--config must be a JSON object of LoRAGen config fields, got '${value}'`);
}

/** `--methods a,b`: a subset of the benchmark's methods; `base` and `task-lora`, which the claims and the ledger need, are added. */
function methodList(value: string | undefined, withReferences: boolean): MethodId[] {
  if (value === undefined) return [...METHOD_IDS];
  const list = value.split(',').map((m) => m.trim());
  const unknown = list.filter((m) => !(METHOD_IDS as readonly string[]).includes(m));
  if (unknown.length > 0 || list.length === 0) throw new UsageError(`--methods: unknown method(s) ${unknown.join(', ')}; known: ${METHOD_IDS.join(', ')}`);
  return METHOD_IDS.filter((m) => (withReferences && (m === 'base' || m === 'task-lora')) || list.includes(m));
}

main().catch(failWith('bench:paper'));
