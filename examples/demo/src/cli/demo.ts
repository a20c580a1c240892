// `npm run demo`: trains a compact LoRAGen on the bundled LoRA library (without the held-out tasks), generates
// an adapter from the description of a task it never saw, writes it as a PEFT folder, reads it back, and
// compares it with the base model, the nearest-description library LoRA and the task's own LoRA.
import { resolve } from 'node:path';
import { LoraGen, useBackend, embedTasks, type BackendName } from '@loragen/core';
import { readPeftAdapter, writePeftAdapter } from '@loragen/lora-io/node';
import { compactConfig, libraryTextEncoder } from '../benchmark/methods';
import { EvaluationHarness } from '../eval/harness';
import { nearestByCosine } from '../eval/nearest';
import { listTasks, taskById, ZERO_SHOT_TASK_IDS } from '../tasks/family';
import { UsageError, integerArgument, parseArguments } from './arguments';
import { fitProgressBars } from './fit-progress';
import { loadAssets } from './load-assets';
import { ASSETS_DIR } from './paths';
import { progressBar } from './progress';
import { DEMO_SCALE } from './scales';

const DEFAULT_TASK = 'contains-8';

async function main(): Promise<void> {
  const args = parseArguments(process.argv.slice(2), ['out', 'backend', 'task', 'description', 'seed', 'save-model']);
  const out = resolve(args.get('out') ?? 'demo-output');
  const taskId = args.get('task') ?? DEFAULT_TASK;
  if (!ZERO_SHOT_TASK_IDS.includes(taskId)) {
    throw new UsageError(`--task must be one LoRAGen never trains on: ${ZERO_SHOT_TASK_IDS.join(', ')}`);
  }
  const task = taskById(taskId);
  const description = args.get('description') ?? task.descriptions[0];
  const seed = integerArgument(args, 'seed', 1);
  const backend = await useBackend((args.get('backend') ?? 'wasm') as BackendName);
  const started = Date.now();
  process.stderr.write(`backend ${backend}; loading the base model and the LoRA library from ${ASSETS_DIR}\n`);
  const assets = await loadAssets(ASSETS_DIR);
  const training = listTasks().filter((t) => !ZERO_SHOT_TASK_IDS.includes(t.id));
  const library = training.map((t) => assets.library.get(t.id)!);
  process.stderr.write(`training LoRAGen on ${library.length} task LoRAs (the ${ZERO_SHOT_TASK_IDS.length} held-out tasks excluded)\n`);

  const encoder = libraryTextEncoder(training);
  const gen = await LoraGen.fit(library, compactConfig(seed, DEMO_SCALE), { onProgress: fitProgressBars('LoRAGen'), textEncoder: encoder });
  process.stderr.write(`generating an adapter for the unseen task '${task.id}': "${description}"\n`);
  const adapter = await gen.generate(description, { seed });
  const modelDir = args.get('save-model');
  if (modelDir) {
    // The trained generator itself, for `loragen generate --model` or the browser app (examples/browser).
    await gen.save(resolve(modelDir));
    process.stderr.write(`LoRAGen model saved to ${resolve(modelDir)}\n`);
  }
  gen.dispose();
  await writePeftAdapter(out, adapter);
  const written = await readPeftAdapter(out);

  const table = await embedTasks(encoder, [...training.map((t) => t.descriptions), [description]]);
  const rows = (await table.data()) as Float32Array;
  table.dispose();
  const embedding = (i: number) => rows.subarray(i * encoder.dim, (i + 1) * encoder.dim);
  const nearest = training[nearestByCosine(embedding(training.length), training.map((_, i) => embedding(i)))];

  const harness = new EvaluationHarness(assets.base, assets.config, { seed });
  const methods = [
    ['base model', null],
    ['generated adapter (LoRAGen)', written],
    [`nearest-description LoRA (${nearest.id})`, assets.library.get(nearest.id)!.adapter],
    [`the task's own LoRA (${task.id})`, assets.library.get(task.id)!.adapter],
  ] as const;
  const bar = progressBar('evaluating', methods.length);
  const accuracies: number[] = [];
  for (const [i, [, update]] of methods.entries()) {
    accuracies.push(await harness.accuracy(task, update));
    bar.update(i + 1);
  }
  bar.finish();
  const lines = [
    '',
    `Task '${task.id}' (never seen by LoRAGen), description: "${description}"`,
    `Accuracy on 512 held-out test examples (chance 50%):`,
    '',
    '| adapter | accuracy |',
    '| --- | --- |',
    ...methods.map(([label], i) => `| ${label} | ${accuracies[i].toFixed(1)}% |`),
    '',
    `PEFT adapter written to ${out} (${written.modules.length} modules, rank ${written.config.r}); ` +
      `inspect it with: npx loragen inspect ${out}`,
    `done in ${((Date.now() - started) / 1000).toFixed(0)} s`,
    '',
  ];
  process.stdout.write(lines.join('\n'));
}

main().catch((err: unknown) => {
  process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = err instanceof UsageError ? 2 : 1;
});
