#!/usr/bin/env node
// `npm run bench:paper`: the paper's evaluation table at laptop scale, on each library (`--library digits|skills`,
// both by default). Trains every LoRAGen variant for each seed on the library's training tasks, measures all
// methods on in-distribution and zero-shot tasks, and writes benchmarks/paper/results.json (one entry per library),
// results.md and one chart per library. `--jobs N` runs seeds in N child processes.
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { cpus, hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BACKEND_NAMES, useBackend, type FitProgress, type LoraGenConfigInput } from '@loragen/core';
import { COMMON_OPTIONS, integer, listOf, oneOf, UsageError } from '@loragen/core/node';
import { runSeed, type SeedResult } from '../benchmark/experiment';
import { LORAGEN_VARIANTS, METHOD_IDS, type MethodId } from '../benchmark/methods';
import { resultsChart } from '../benchmark/report-chart';
import { chartFile, resultsMarkdown } from '../benchmark/report-markdown';
import { mergeSeedResults, readSeedFile, writeSeedFile } from '../benchmark/seed-file';
import { libraryAnalysis } from '../benchmark/library-analysis';
import { summariseConfidence } from '../benchmark/confidence-summary';
import { claimUnitsDir, exists } from '../benchmark/units-folder';
import { summarise, type BenchmarkResults, type LibraryResults } from '../benchmark/summary';
import { benchLibrary, LIBRARY_NAMES, trainingTasks, type BenchLibrary } from '../benchmark/libraries';
import { fitProgressBars } from '../benchmark/fit-progress';
import { BENCH_SCALE } from '../benchmark/scales';
import { loadAssets } from '../library/load-assets';
import { PAPER_RESULTS_DIR } from '../library/paths';
import { writeJsonAtomic, writeTextAtomic } from '../library/write-text';
import { runInChildren } from '../process/child-pool';
import { defineProgram, programArguments, valueOptions, type ProgramValues } from '../process/program-arguments';
import { failWith } from '../process/report-failure';

const PROGRAM = defineProgram({
  options: {
    ...valueOptions(
      'library',
      'seeds',
      'jobs',
      'methods',
      'autoencoder-steps',
      'diffusion-steps',
      'config',
      'out',
      'units',
      'machine',
      'seconds',
      'from-results',
    ),
    // what a parent gives each child process (internal)
    ...valueOptions('only-seed', 'seed-file'),
    backend: COMMON_OPTIONS.backend,
  },
  usage:
    'npm run bench:paper -- [--library digits,skills] [--seeds N] [--jobs N] [--methods a,b] [--autoencoder-steps N] [--diffusion-steps N] [--config JSON] [--out DIR] [--units DIR [--machine TEXT] [--seconds N]] [--from-results a.json,b.json] [--backend wasm|cpu|webgpu|tensorflow] [--debug]',
  about: [
    "The paper's evaluation table at laptop scale: trains every LoRAGen variant for each seed on each library's",
    'training tasks, measures all methods on in-distribution and zero-shot tasks, and writes results.json, results.md',
    'and one chart per library to --out (default benchmarks/paper). --jobs N runs the units in N child processes;',
    `--units DIR keeps them so a run cut short resumes. Methods: ${METHOD_IDS.join(', ')}. See examples/demo/README.md.`,
  ],
});
const USAGE = PROGRAM.usage;
type BenchArguments = ProgramValues<typeof PROGRAM>;

const NOTES = [
  '**Setup, `digits`.** Base model: a 4-layer, width-32 transformer (tfjs) pre-trained on a prompted mixture of all 62 tasks ' +
    '(yes/no questions about 8 digits: contains / absent / first / last / twice for each digit, max-at-least / ' +
    'min-at-most for 6 thresholds). Evaluation uses a neutral prompt, so only the weights can say which task to do. ' +
    'Library: one rank-4 LoRA on q_proj and v_proj of every layer per task (150 Adam steps, one shared init). ' +
    "LoRAGen: the paper's architecture and losses (per-type encoders, top-2 MoE decoder, angular + spectral losses " +
    'on dW, v-prediction latent diffusion) at a compact size, trained with a 200-step warm-up and cosine decay of ' +
    'both learning rates and standardised latents, conditioned on IDF-weighted hashed description embeddings ' +
    "centred on the library and anchored to the library's task conditions (`sampling.anchoring`, weight 1, " +
    'temperature 0.01; not in the paper); DDIM 50 steps, guidance 2. `ridge-dw`: ridge regression from the ' +
    "description embedding to every position's dW over the training tasks (strength by leave-one-task-out error), " +
    "truncated to rank 4 from the factors. `t2l-hypernetwork`: Text-to-LoRA's recipe, an MLP from the description " +
    "embedding to a code per position through LoRAGen's MoE decoder heads, trained end to end with the same dW losses " +
    "and budget as LoRAGen's stage 1 (no latent space, no diffusion). See examples/demo/README.md.",
  '**Setup, `skills`.** A compositional planted-teacher library (after Schug et al., ICLR 2024): 12 named skills, each ' +
    'a seeded rank-1 update of every q, k, v and o projection of a 2-layer, width-32 transformer with ' +
    'grouped-query attention (k and v 16 wide) and a 64-wide MLP, left at its seeded initialisation. A task is a pair ' +
    'of skills (66 tasks, 16 unseen pairs held out as zero-shot); its teacher is the base model plus both updates, ' +
    "its labels the teacher's class (4 classes) on random token sequences, and its descriptions name the two skills " +
    '(6 sentence shapes, 2 more held out). Library: one rank-4 LoRA on q, k, v and o per task, each from an ' +
    "initialisation of its own, trained 400 Adam steps to match the teacher's class probabilities. Tasks sharing a " +
    'skill share half their update, so here similar descriptions do mean similar updates. On this library LoRAGen and ' +
    "`t2l-hypernetwork` also train on 500 library combinations (core's `combinations`: synthetic tasks " +
    'dW_a + dW_b - dW_c of three library tasks, conditioned on cond_a + cond_b - cond_c, half of every batch, a ' +
    "quarter of LoRAGen's stage-2 batches; not in the paper), LoRAGen's stage 2 on task means and single descriptions " +
    "(`conditioning: 'mixed'`), and LoRAGen samples " +
    "with span anchoring (the condition projected onto the span of the library's task conditions, at their mean " +
    "norm; one within cosine 0.77 of a task's condition then becomes that condition, `snap`) instead of nearest-task " +
    'anchoring, with guidance 3 (the compact config: 2). Its autoencoder (and the hypernetwork) weighs the angular ' +
    "loss 10 against the spectral loss's 2 (the compact config: 1), has 192-wide encoder and expert MLPs (64) and " +
    'decays its learning rate to 1% of its peak (5%); why, with the figures: examples/demo/src/benchmark/methods.ts.',
  '**Held-out wordings.** Each task has 6 training descriptions and 2 more in sentence shapes the templates never ' +
    'use ("Tell me if ...", "Given a list of digits, report whether ..."), kept out of training and of ' +
    "`nearest-description`'s index; the held-out-wording column generates (or looks up) from each of them alone. " +
    'Methods that never read a description repeat their in-distribution numbers there.',
  "**Reading it against the paper.** The paper's numbers are FLAN-T5-large on NLP tasks; ours is a 62-task synthetic " +
    'family on a 50k-parameter model, so only the orderings and the claims are comparable, not the absolute values. ' +
    'Our `base` is near chance (50%) by construction. `nearest-description` in-distribution finds the task itself, ' +
    'so it equals `task-lora` there. Zero-shot transfer is not expected on `digits`: its task updates are ' +
    'nearly orthogonal even between tasks one digit apart (its `analyze` correlation is low); `skills` is the library ' +
    'where it is possible, and `oracle-span` says how much of it is.',
  '**Confidence.** The score separates working from failing adapters (AUROC) on both libraries, but ranks them by ' +
    'the share of the gain they reach (Spearman) only within a library, and the target (0.5) is missed: `retrieval` ' +
    "(does the description name one library task?) carries it, while `fidelity` (the generated adapter's dW cosine " +
    "with its task's own: mean 0.95 on `digits`, 0.985 on `skills` since its wider, angular-weighted autoencoder) " +
    'cannot tell that a cosine of 0.95 buys `digits` ~98% of the gain and one of 0.985 buys `skills` ~93%: pooled, ' +
    "the score now ranks the two libraries the wrong way round. That mapping is the base model's, invisible from " +
    'the weights alone. On `skills` only 5 of 498 cases fail since held-out wordings snap to their tasks, so its ' +
    'AUROC (0.84, 0.97 before snap) rests on those few.',
];

/** The settings a run's units must share: every child argument but the library (one folder may hold both). */
const unitSettings = (childArgs: string[]): Record<string, string> =>
  Object.fromEntries(childArgs.flatMap((a, i) => (a.startsWith('--') && a !== '--library' ? [[a.slice(2), childArgs[i + 1]]] : [])));

/** Runs one seed on one library in this process. */
async function oneSeed(
  library: BenchLibrary,
  seed: number,
  scale: typeof BENCH_SCALE,
  methods: readonly MethodId[],
  configOverrides: LoraGenConfigInput,
): Promise<SeedResult> {
  const assets = await loadAssets(library.assets);
  const bars = new Map<string, (p: FitProgress) => void>();
  const setup = {
    ...assets,
    libraryName: library.name,
    examples: library.examples(assets),
    training: trainingTasks(library),
    evaluated: library.tasks,
    scale,
    configOverrides,
  };
  return runSeed(setup, seed, methods, (p) => {
    if (!p.fit) return;
    if (!bars.has(p.method)) bars.set(p.method, fitProgressBars(`${library.name} seed ${seed} ${p.method}`));
    bars.get(p.method)!(p.fit);
  });
}

/**
 * Runs seeds 1..count in child processes, at most `jobs` at a time. Each LoRAGen variant of a seed is a process of
 * its own (its training is the long part), and one more measures the other methods; each child writes its results
 * to a file, merged here per seed. With `unitsDir` those files are kept there and a unit whose file exists is not
 * run again, so a run cut short (a time limit, a crash) resumes where it stopped; the folder remembers the run's
 * settings and refuses to mix in units of another.
 */
async function seedsInChildren(
  count: number,
  jobs: number,
  methods: readonly MethodId[],
  childArgs: string[],
  unitsDir?: string,
): Promise<SeedResult[]> {
  const dir = unitsDir ?? (await mkdtemp(join(tmpdir(), 'loragen-bench-')));
  if (unitsDir) await claimUnitsDir(unitsDir, unitSettings(childArgs));
  const script = fileURLToPath(import.meta.url);
  const variants = methods.filter((m) => (LORAGEN_VARIANTS as readonly string[]).includes(m));
  const others = methods.filter((m) => !variants.includes(m));
  const groups = [...(others.length > 0 ? [others] : []), ...variants.map((v) => [v])];
  const library = childArgs[childArgs.indexOf('--library') + 1];
  // plain file names (letters, digits, '-', '_'): the GPU machine's file transfer refuses names with other characters
  const units = Array.from({ length: count }, (_, i) =>
    groups.map((group) => ({ seed: i + 1, group, file: join(dir, `${library}-seed${i + 1}-${group.join('_')}.json`) })),
  ).flat();
  const pending = [];
  for (const unit of units) if (!unitsDir || !(await exists(unit.file))) pending.push(unit);
  if (unitsDir && pending.length < units.length)
    process.stderr.write(`${library}: ${units.length - pending.length} of ${units.length} units already in ${unitsDir}\n`);
  try {
    await runInChildren(
      script,
      pending.map((unit) => ['--only-seed', String(unit.seed), '--seed-file', unit.file, '--methods', unit.group.join(','), ...childArgs]),
      jobs,
    );
    return await Promise.all(
      Array.from({ length: count }, async (_, i) =>
        mergeSeedResults(await Promise.all(units.filter((u) => u.seed === i + 1).map((u) => readSeedFile(u.file)))),
      ),
    );
  } finally {
    if (!unitsDir) await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const args = programArguments(PROGRAM);
  if (!args) return;
  const out = args.out ?? PAPER_RESULTS_DIR;
  const fromResults = args['from-results'];
  if (fromResults !== undefined) return writeReport(out, await readLibraryResults(fromResults.split(',')));
  const libraries = listOf(args.library, 'library', LIBRARY_NAMES, LIBRARY_NAMES, USAGE).map(benchLibrary);
  // a child process runs exactly the methods its parent gives it
  const methods = methodList(args, args['only-seed'] === undefined);
  const configOverrides = configArgument(args.config);
  const backend = await useBackend(oneOf(args.backend, 'backend', BACKEND_NAMES, 'wasm', USAGE));
  const scale = {
    autoencoderSteps: integer(args['autoencoder-steps'], 'autoencoder-steps', BENCH_SCALE.autoencoderSteps, USAGE),
    diffusionSteps: integer(args['diffusion-steps'], 'diffusion-steps', BENCH_SCALE.diffusionSteps, USAGE),
  };
  if (args['only-seed'] !== undefined) {
    const file = args['seed-file'];
    if (!file) throw new UsageError('--only-seed needs --seed-file', USAGE);
    if (libraries.length !== 1) throw new UsageError('--only-seed needs exactly one --library', USAGE);
    await writeSeedFile(file, await oneSeed(libraries[0], integer(args['only-seed'], 'only-seed', 1, USAGE), scale, methods, configOverrides));
    return;
  }
  const seedCount = integer(args.seeds, 'seeds', 3, USAGE);
  const jobs = integer(args.jobs, 'jobs', 1, USAGE);
  // a report assembled from units of earlier runs (--units) says where and how long they ran with --machine, --seconds
  const seconds = integer(args.seconds, 'seconds', undefined, USAGE);
  const results: LibraryResults[] = [];
  for (const library of libraries) {
    const started = Date.now();
    const seeds: SeedResult[] = [];
    const childArgs = [
      '--library',
      library.name,
      '--backend',
      backend,
      '--autoencoder-steps',
      String(scale.autoencoderSteps),
      '--diffusion-steps',
      String(scale.diffusionSteps),
      '--config',
      JSON.stringify(configOverrides),
    ];
    if (jobs > 1 || args.units !== undefined) seeds.push(...(await seedsInChildren(seedCount, jobs, methods, childArgs, args.units)));
    else for (let seed = 1; seed <= seedCount; seed++) seeds.push(await oneSeed(library, seed, scale, methods, configOverrides));
    const summary = summarise(seeds, { inDistribution: trainingTasks(library).map((t) => t.id), zeroShot: [...library.zeroShot] }, methods, {
      seconds: seconds ?? (Date.now() - started) / 1000,
      backend,
      machine: args.machine ?? `${hostname()}, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown cpu'}), ${jobs} jobs`,
      budget: scale,
    });
    results.push({ name: library.name, ...summary, analyze: await libraryAnalysis(library.assets), confidence: summariseConfidence(seeds) });
  }
  await writeReport(out, results);
}

/** results.json, results.md and the charts of `results` in `out`. */
async function writeReport(out: string, results: LibraryResults[]): Promise<void> {
  await mkdir(out, { recursive: true });
  const markdown = resultsMarkdown(results, NOTES);
  await writeJsonAtomic(join(out, 'results.json'), { libraries: results });
  await writeTextAtomic(join(out, 'results.md'), markdown);
  for (const r of results) await writeTextAtomic(join(out, chartFile(r.name)), resultsChart(r));
  process.stdout.write(`${markdown}\nwrote ${out}/results.{json,md} and ${results.map((r) => chartFile(r.name)).join(', ')}\n`);
}

/**
 * `--from-results a.json,b.json`: the libraries of earlier runs' results.json (say, one library per machine), in
 * the order given, for one report. A library may appear once.
 */
async function readLibraryResults(files: readonly string[]): Promise<LibraryResults[]> {
  const all: LibraryResults[] = [];
  for (const file of files) {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<BenchmarkResults>;
    if (!Array.isArray(parsed.libraries)) throw new UsageError(`--from-results: ${file} has no 'libraries' array (written by an older bench:paper?)`);
    for (const entry of parsed.libraries) {
      if (all.some((r) => r.name === entry.name)) throw new UsageError(`--from-results: library '${entry.name}' appears twice (again in ${file})`);
      all.push(entry);
    }
  }
  return all;
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
  throw new UsageError(`--config must be a JSON object of LoRAGen config fields, got '${value}'`, USAGE);
}

/** `--methods a,b`: a subset of the benchmark's methods; `base` and `task-lora`, which the claims and the ledger need, are added. */
function methodList(args: BenchArguments, withReferences: boolean): MethodId[] {
  if (args.methods === undefined) return [...METHOD_IDS];
  const list = listOf(args.methods, 'methods', METHOD_IDS, [], USAGE);
  return METHOD_IDS.filter((m) => (withReferences && (m === 'base' || m === 'task-lora')) || list.includes(m));
}

main().catch(failWith('bench:paper'));
