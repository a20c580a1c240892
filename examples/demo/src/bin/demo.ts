#!/usr/bin/env node
// `npm run demo`: trains a compact LoRAGen on a bundled LoRA library (without its held-out tasks), or loads a
// saved one (`--model`), then generates adapters for (1) a library task named in words never used in training and
// (2) a task it never saw, writes the unseen task's adapter as a PEFT folder, reads it back, and compares each
// with the base model, the nearest-description library LoRA and the task's own LoRA. The library is the one where
// the paper benchmark measured LoRAGen best on unseen tasks (`--library` picks one), and the demo says which.
import { join, resolve } from 'node:path';
import { BACKEND_NAMES, embedTasks, LoraGen, useBackend } from '@loragen/core';
import { COMMON_OPTIONS, integer, oneOf, ProgressBar, UsageError } from '@loragen/core/node';
import type { LoraAdapter } from '@loragen/lora-io';
import { readPeftAdapter, writePeftAdapter } from '@loragen/lora-io/node';
import { chooseDemoLibrary } from '../benchmark/demo-library';
import { benchLibrary, LIBRARY_NAMES, trainingTasks, type BenchLibrary } from '../benchmark/libraries';
import { libraryConfig, libraryTextEncoder } from '../benchmark/methods';
import { EvaluationHarness } from '../eval/harness';
import { nearestByCosine } from '../eval/nearest';
import type { LibraryTask } from '../tasks/family';
import { fitProgressBars } from '../benchmark/fit-progress';
import { DEMO_SCALE } from '../benchmark/scales';
import { loadAssets, type DemoAssets } from '../library/load-assets';
import { PAPER_RESULTS_DIR } from '../library/paths';
import { defineProgram, programArguments, valueOptions, type ProgramValues } from '../process/program-arguments';
import { failWith } from '../process/report-failure';

/** One printed table: a task, the description it was generated from, and four accuracies (percent). */
interface DemoResult {
  task: string;
  description: string;
  seen: boolean;
  accuracy: { base: number; generated: number; nearestDescription: number; taskLora: number };
  nearestTask: string;
  /** Accuracy of guessing, in percent. */
  chance: number;
}

const PROGRAM = defineProgram({
  options: {
    ...valueOptions('library', 'task', 'description', 'seed', 'out', 'save-model', 'model'),
    backend: COMMON_OPTIONS.backend,
    json: COMMON_OPTIONS.json,
  },
  usage:
    'npm run demo -- [--library digits|skills] [--task ID [--description TEXT]] [--model DIR | --save-model DIR] [--out DIR] [--seed N] [--backend wasm|cpu|webgpu|tensorflow] [--json] [--debug]',
  about: [
    'Trains a compact LoRAGen on a bundled LoRA library (or loads one saved with --save-model: --model), generates',
    'adapters from task descriptions and compares each with the base model, the nearest-description LoRA and the',
    "task's own LoRA. Options: see examples/demo/README.md.",
  ],
});
const USAGE = PROGRAM.usage;
type DemoArguments = ProgramValues<typeof PROGRAM>;

const TASK_HINT = '--task ID picks the task to show (a library task or one of the held-out tasks)';

/** The tasks to show: `--task` alone (with `--description` or its first held-out wording), or the library's two defaults. */
function requests(args: DemoArguments, library: BenchLibrary): Array<{ task: LibraryTask; description: string }> {
  const taskId = args.task;
  const description = args.description;
  const byId = (id: string) => library.tasks.find((t) => t.id === id);
  if (taskId === undefined) {
    if (description !== undefined) throw new UsageError('--description needs --task', TASK_HINT);
    const seen = byId(library.demo.seen.task)!;
    const unseen = byId(library.demo.unseen)!;
    return [
      { task: seen, description: seen.heldOutDescriptions[library.demo.seen.wording] },
      { task: unseen, description: unseen.descriptions[0] },
    ];
  }
  const task = byId(taskId);
  if (!task)
    throw new UsageError(`unknown --task '${taskId}' in the ${library.name} library; known: ${library.tasks.map((t) => t.id).join(', ')}`, TASK_HINT);
  const seen = !library.zeroShot.includes(task.id);
  return [{ task, description: description ?? (seen ? task.heldOutDescriptions[0] : task.descriptions[0]) }];
}

/** `--library`, or the one the paper benchmark's results favour (see demo-library.ts), with the reason. */
async function pickLibrary(args: DemoArguments): Promise<{ library: BenchLibrary; reason: string }> {
  const name = oneOf(args.library, 'library', LIBRARY_NAMES, undefined, USAGE);
  if (name !== undefined) {
    return { library: benchLibrary(name), reason: 'chosen by --library' };
  }
  const choice = await chooseDemoLibrary(join(PAPER_RESULTS_DIR, 'results.json'));
  return { library: benchLibrary(choice.name), reason: choice.reason };
}

async function trainOrLoad(args: DemoArguments, assets: DemoAssets, library: BenchLibrary, training: LibraryTask[], seed: number): Promise<LoraGen> {
  const modelDir = args.model;
  if (modelDir) {
    process.stderr.write(`loading the LoRAGen model saved in ${resolve(modelDir)}\n`);
    return LoraGen.load(resolve(modelDir));
  }
  const entries = training.map((t) => assets.library.get(t.id)!);
  process.stderr.write(`training LoRAGen on ${entries.length} task LoRAs (the ${library.zeroShot.length} held-out tasks excluded)\n`);
  const gen = await LoraGen.fit(entries, libraryConfig(library.name, seed, DEMO_SCALE), {
    onProgress: fitProgressBars('LoRAGen'),
    textEncoder: libraryTextEncoder(training),
  });
  const saveDir = args['save-model'];
  if (saveDir) {
    // The trained generator itself, for `--model`, `loragen generate --model` or the browser app (examples/browser).
    await gen.save(resolve(saveDir));
    process.stderr.write(`LoRAGen model saved to ${resolve(saveDir)}\n`);
  }
  return gen;
}

function table(r: DemoResult): string[] {
  return [
    '',
    `Task '${r.task}' (${r.seen ? 'in the library, named in words LoRAGen never trained on' : 'never seen by LoRAGen'}), description: "${r.description}"`,
    `Accuracy on 512 held-out test examples (chance ${r.chance}%):`,
    '',
    '| adapter | accuracy |',
    '| --- | --- |',
    `| base model | ${r.accuracy.base.toFixed(1)}% |`,
    `| generated adapter (LoRAGen) | ${r.accuracy.generated.toFixed(1)}% |`,
    `| nearest-description LoRA (${r.nearestTask}) | ${r.accuracy.nearestDescription.toFixed(1)}% |`,
    `| the task's own LoRA (${r.task}) | ${r.accuracy.taskLora.toFixed(1)}% |`,
  ];
}

async function main(): Promise<void> {
  const args = programArguments(PROGRAM);
  if (!args) return;
  const { library, reason } = await pickLibrary(args);
  const shown = requests(args, library);
  const out = resolve(args.out ?? 'demo-output');
  const seed = integer(args.seed, 'seed', 1, USAGE);
  const backend = await useBackend(oneOf(args.backend, 'backend', BACKEND_NAMES, 'wasm', USAGE));
  const started = Date.now();
  process.stderr.write(`library '${library.name}' (${reason})\n`);
  process.stderr.write(`backend ${backend}; loading the base model and the LoRA library from ${library.assets}\n`);
  const assets = await loadAssets(library.assets);
  const training = trainingTasks(library);
  const gen = await trainOrLoad(args, assets, library, training, seed);
  let generated: LoraAdapter[];
  try {
    process.stderr.write(`generating ${shown.length} adapter(s): ${shown.map((s) => `'${s.task.id}'`).join(', ')}\n`);
    generated = await gen.generate(
      shown.map((s) => s.description),
      { seed },
    );
  } finally {
    gen.dispose();
  }
  // The last table's adapter goes through the PEFT files, as a user would receive it.
  await writePeftAdapter(out, generated[generated.length - 1]);
  generated[generated.length - 1] = await readPeftAdapter(out);

  // nearest-description looks the description up among the training tasks' descriptions.
  const encoder = libraryTextEncoder(training);
  const embedded = await embedTasks(
    encoder,
    training.map((t) => t.descriptions),
  );
  const rows = (await embedded.data()) as Float32Array;
  embedded.dispose();
  const index = training.map((_, i) => rows.subarray(i * encoder.dim, (i + 1) * encoder.dim));
  const harness = new EvaluationHarness(assets.base, assets.config, { seed, examples: library.examples(assets) });
  const bar = new ProgressBar('evaluating', shown.length * 4);
  const results: DemoResult[] = [];
  for (const [i, { task, description }] of shown.entries()) {
    const nearest = training[nearestByCosine(encoder.vector(description), index)];
    const updates = [null, generated[i], assets.library.get(nearest.id)!.adapter, assets.library.get(task.id)!.adapter] as const;
    const accuracies: number[] = [];
    for (const update of updates) {
      accuracies.push(await harness.accuracy(task, update));
      bar.update(i * 4 + accuracies.length);
    }
    const [base, gen_, nearestDescription, taskLora] = accuracies;
    const chance = Math.round(100 / assets.config.classes);
    results.push({
      task: task.id,
      description,
      seen: !library.zeroShot.includes(task.id),
      accuracy: { base, generated: gen_, nearestDescription, taskLora },
      nearestTask: nearest.id,
      chance,
    });
  }
  bar.finish();
  if (args.json) {
    const round = (x: number) => Math.round(x * 10) / 10;
    const json = results.map(({ task, description, seen, accuracy }) => ({
      task,
      description,
      seen,
      accuracy: Object.fromEntries(Object.entries(accuracy).map(([k, v]) => [k, round(v)])),
    }));
    process.stdout.write(`${JSON.stringify({ library: library.name, results: json }, null, 2)}\n`);
    return;
  }
  const lines = [
    `Library '${library.name}' (${reason}).`,
    ...results.flatMap(table),
    '',
    `PEFT adapter for '${results[results.length - 1].task}' written to ${out}; inspect it with: npx loragen inspect ${out}`,
    `done in ${((Date.now() - started) / 1000).toFixed(0)} s`,
    '',
  ];
  process.stdout.write(lines.join('\n'));
}

main().catch(failWith('demo'));
