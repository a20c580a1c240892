// `npm run demo`: trains a compact LoRAGen on the bundled LoRA library (without the held-out tasks), or loads a
// saved one (`--model`), then generates adapters for (1) a library task named in words never used in training and
// (2) a task it never saw, writes the unseen task's adapter as a PEFT folder, reads it back, and compares each
// with the base model, the nearest-description library LoRA and the task's own LoRA.
import { resolve } from 'node:path';
import { embedTasks, LoraGen, useBackend, type BackendName } from '@loragen/core';
import type { LoraAdapter } from '@loragen/lora-io';
import { readPeftAdapter, writePeftAdapter } from '@loragen/lora-io/node';
import { compactConfig, libraryTextEncoder } from '../benchmark/methods';
import { EvaluationHarness } from '../eval/harness';
import { nearestByCosine } from '../eval/nearest';
import { digitsTestExamples, listTasks, taskById, ZERO_SHOT_TASK_IDS, type Task } from '../tasks/family';
import { UsageError, integerArgument, parseArguments } from './arguments';
import { fitProgressBars } from './fit-progress';
import { failWith } from './report-failure';
import { loadAssets, type DemoAssets } from './load-assets';
import { ASSETS_DIR } from './paths';
import { progressBar } from './progress';
import { DEMO_SCALE } from './scales';

/** The unseen task shown by default, and the library task named in one of its held-out wordings. */
const DEFAULT_UNSEEN = 'contains-8';
const DEFAULT_SEEN = { task: 'absent-7', wording: 1 };

/** One printed table: a task, the description it was generated from, and four accuracies (percent). */
interface DemoResult {
  task: string;
  description: string;
  seen: boolean;
  accuracy: { base: number; generated: number; nearestDescription: number; taskLora: number };
  nearestTask: string;
}

const USAGE = '--task ID picks the task to show (a library task or one of the held-out tasks)';

/** The tasks to show: `--task` alone (with `--description` or its first held-out wording), or the two defaults. */
function requests(args: Map<string, string>): Array<{ task: Task; description: string }> {
  const taskId = args.get('task');
  const description = args.get('description');
  if (taskId === undefined) {
    if (description !== undefined) throw new UsageError(`--description needs --task (${USAGE})`);
    const seen = taskById(DEFAULT_SEEN.task);
    const unseen = taskById(DEFAULT_UNSEEN);
    return [
      { task: seen, description: seen.heldOutDescriptions[DEFAULT_SEEN.wording] },
      { task: unseen, description: unseen.descriptions[0] },
    ];
  }
  if (!listTasks().some((t) => t.id === taskId)) throw new UsageError(`unknown --task '${taskId}'; known: ${listTasks().map((t) => t.id).join(', ')}`);
  const task = taskById(taskId);
  const seen = !ZERO_SHOT_TASK_IDS.includes(task.id);
  return [{ task, description: description ?? (seen ? task.heldOutDescriptions[0] : task.descriptions[0]) }];
}

async function trainOrLoad(args: Map<string, string>, assets: DemoAssets, training: Task[], seed: number): Promise<LoraGen> {
  const modelDir = args.get('model');
  if (modelDir) {
    process.stderr.write(`loading the LoRAGen model saved in ${resolve(modelDir)}\n`);
    return LoraGen.load(resolve(modelDir));
  }
  const library = training.map((t) => assets.library.get(t.id)!);
  process.stderr.write(`training LoRAGen on ${library.length} task LoRAs (the ${ZERO_SHOT_TASK_IDS.length} held-out tasks excluded)\n`);
  const gen = await LoraGen.fit(library, compactConfig(seed, DEMO_SCALE), { onProgress: fitProgressBars('LoRAGen'), textEncoder: libraryTextEncoder(training) });
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
    'Accuracy on 512 held-out test examples (chance 50%):',
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
  const args = parseArguments(process.argv.slice(2), ['out', 'backend', 'task', 'description', 'seed', 'save-model', 'model', 'json'], ['json']);
  const shown = requests(args);
  const out = resolve(args.get('out') ?? 'demo-output');
  const seed = integerArgument(args, 'seed', 1);
  const backend = await useBackend((args.get('backend') ?? 'wasm') as BackendName);
  const started = Date.now();
  process.stderr.write(`backend ${backend}; loading the base model and the LoRA library from ${ASSETS_DIR}\n`);
  const assets = await loadAssets(ASSETS_DIR);
  const training = listTasks().filter((t) => !ZERO_SHOT_TASK_IDS.includes(t.id));
  const gen = await trainOrLoad(args, assets, training, seed);
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
  const harness = new EvaluationHarness(assets.base, assets.config, { seed, examples: digitsTestExamples });
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
    results.push({ task: task.id, description, seen: !ZERO_SHOT_TASK_IDS.includes(task.id), accuracy: { base, generated: gen_, nearestDescription, taskLora }, nearestTask: nearest.id });
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
    process.stdout.write(`${JSON.stringify({ results: json }, null, 2)}\n`);
    return;
  }
  const lines = [
    ...results.flatMap(table),
    '',
    `PEFT adapter for '${results[results.length - 1].task}' written to ${out}; inspect it with: npx loragen inspect ${out}`,
    `done in ${((Date.now() - started) / 1000).toFixed(0)} s`,
    '',
  ];
  process.stdout.write(lines.join('\n'));
}

main().catch(failWith('demo'));
