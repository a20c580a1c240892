// `npm run demo`: trains a compact LoRAGen on a bundled LoRA library (without its held-out tasks), or loads a
// saved one (`--model`), then generates adapters for (1) a library task named in words never used in training and
// (2) a task it never saw, writes the unseen task's adapter as a PEFT folder, reads it back, and compares each
// with the base model, the nearest-description library LoRA and the task's own LoRA. The library is the one where
// the paper benchmark measured LoRAGen best on unseen tasks (`--library` picks one), and the demo says which.
import { resolve } from 'node:path';
import { embedTasks, LoraGen, useBackend, type BackendName } from '@loragen/core';
import type { LoraAdapter } from '@loragen/lora-io';
import { readPeftAdapter, writePeftAdapter } from '@loragen/lora-io/node';
import { chooseDemoLibrary } from '../benchmark/demo-library';
import { benchLibrary, LIBRARY_NAMES, trainingTasks, type BenchLibrary } from '../benchmark/libraries';
import { libraryConfig, libraryTextEncoder } from '../benchmark/methods';
import { EvaluationHarness } from '../eval/harness';
import { nearestByCosine } from '../eval/nearest';
import type { LibraryTask } from '../tasks/family';
import { UsageError, integerArgument, parseArguments } from './arguments';
import { fitProgressBars } from './fit-progress';
import { failWith } from './report-failure';
import { loadAssets, type DemoAssets } from './load-assets';
import { PAPER_RESULTS_DIR } from './paths';
import { progressBar } from './progress';
import { DEMO_SCALE } from './scales';
import { join } from 'node:path';

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

const USAGE = '--task ID picks the task to show (a library task or one of the held-out tasks)';

/** The tasks to show: `--task` alone (with `--description` or its first held-out wording), or the library's two defaults. */
function requests(args: Map<string, string>, library: BenchLibrary): Array<{ task: LibraryTask; description: string }> {
  const taskId = args.get('task');
  const description = args.get('description');
  const byId = (id: string) => library.tasks.find((t) => t.id === id);
  if (taskId === undefined) {
    if (description !== undefined) throw new UsageError(`--description needs --task (${USAGE})`);
    const seen = byId(library.demo.seen.task)!;
    const unseen = byId(library.demo.unseen)!;
    return [
      { task: seen, description: seen.heldOutDescriptions[library.demo.seen.wording] },
      { task: unseen, description: unseen.descriptions[0] },
    ];
  }
  const task = byId(taskId);
  if (!task) throw new UsageError(`unknown --task '${taskId}' in the ${library.name} library; known: ${library.tasks.map((t) => t.id).join(', ')}`);
  const seen = !library.zeroShot.includes(task.id);
  return [{ task, description: description ?? (seen ? task.heldOutDescriptions[0] : task.descriptions[0]) }];
}

/** `--library`, or the one the paper benchmark's results favour (see demo-library.ts), with the reason. */
async function pickLibrary(args: Map<string, string>): Promise<{ library: BenchLibrary; reason: string }> {
  const name = args.get('library');
  if (name !== undefined) {
    if (!(LIBRARY_NAMES as readonly string[]).includes(name)) throw new UsageError(`unknown --library '${name}'; known: ${LIBRARY_NAMES.join(', ')}`);
    return { library: benchLibrary(name), reason: 'chosen by --library' };
  }
  const choice = await chooseDemoLibrary(join(PAPER_RESULTS_DIR, 'results.json'));
  return { library: benchLibrary(choice.name), reason: choice.reason };
}

async function trainOrLoad(args: Map<string, string>, assets: DemoAssets, library: BenchLibrary, training: LibraryTask[], seed: number): Promise<LoraGen> {
  const modelDir = args.get('model');
  if (modelDir) {
    process.stderr.write(`loading the LoRAGen model saved in ${resolve(modelDir)}\n`);
    return LoraGen.load(resolve(modelDir));
  }
  const entries = training.map((t) => assets.library.get(t.id)!);
  process.stderr.write(`training LoRAGen on ${entries.length} task LoRAs (the ${library.zeroShot.length} held-out tasks excluded)\n`);
  const gen = await LoraGen.fit(entries, libraryConfig(library.name, seed, DEMO_SCALE), { onProgress: fitProgressBars('LoRAGen'), textEncoder: libraryTextEncoder(training) });
  const saveDir = args.get('save-model');
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
  const args = parseArguments(process.argv.slice(2), ['library', 'out', 'backend', 'task', 'description', 'seed', 'save-model', 'model', 'json'], ['json']);
  const { library, reason } = await pickLibrary(args);
  const shown = requests(args, library);
  const out = resolve(args.get('out') ?? 'demo-output');
  const seed = integerArgument(args, 'seed', 1);
  const backend = await useBackend((args.get('backend') ?? 'wasm') as BackendName);
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
  const embedded = await embedTasks(encoder, training.map((t) => t.descriptions));
  const rows = (await embedded.data()) as Float32Array;
  embedded.dispose();
  const index = training.map((_, i) => rows.subarray(i * encoder.dim, (i + 1) * encoder.dim));
  const harness = new EvaluationHarness(assets.base, assets.config, { seed, examples: library.examples(assets) });
  const bar = progressBar('evaluating', shown.length * 4);
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
    results.push({ task: task.id, description, seen: !library.zeroShot.includes(task.id), accuracy: { base, generated: gen_, nearestDescription, taskLora }, nearestTask: nearest.id, chance });
  }
  bar.finish();
  if (args.has('json')) {
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
