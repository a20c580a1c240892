// `npm run build-library -w @loragen/example-demo`: pre-trains the base model, trains one LoRA per task,
// writes them (safetensors + PEFT folders) and a manifest with checksums. Seeded: a rebuild is byte-identical.
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { trainBaseModel } from '../base/train-base';
import { trainTaskLora } from '../lora/train-lora';
import { saveBaseModel } from '../library/base-model-file';
import { writeJsonAtomic } from '../library/write-text';
import { writeLibraryEntry } from '../library/library-folder';
import { checksums, MANIFEST_FILE, type BuildRecord } from '../library/manifest';
import { DEFAULT_BASE_MODEL_CONFIG } from '../model/config';
import { listTasks } from '../tasks/family';
import { integerArgument, parseArguments } from './arguments';
import { ASSETS_DIR, baseModelDir, libraryDir } from './paths';
import { progressBar } from './progress';

async function main(): Promise<void> {
  const args = parseArguments(process.argv.slice(2), ['out', 'seed']);
  const out = args.get('out') ?? ASSETS_DIR;
  const seed = integerArgument(args, 'seed', 1);
  // Always wasm: the committed artefacts are this backend's bit-exact output (cpu rounds differently).
  await tf.setBackend('wasm');
  const backend = tf.getBackend();
  const started = Date.now();
  const tasks = listTasks();
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });

  const config = DEFAULT_BASE_MODEL_CONFIG;
  const baseBar = progressBar('base model', 3000);
  const base = await trainBaseModel({
    config,
    tasks,
    seed,
    steps: 3000,
    targetAccuracy: 0.98,
    onProgress: (p) => baseBar.update(p.step, `loss ${p.loss.toFixed(3)}${p.accuracy === undefined ? '' : ` acc ${p.accuracy.toFixed(3)}`}`),
  });
  baseBar.finish(`prompted mixture accuracy ${base.accuracy.toFixed(3)} after ${base.steps} steps`);
  await saveBaseModel(baseModelDir(out), base.weights, config);

  const record: BuildRecord = { seed, baseModel: { steps: base.steps, promptedAccuracy: base.accuracy }, tasks: [], seconds: 0, backend };
  const loraBar = progressBar('task LoRAs', tasks.length);
  for (const [i, task] of tasks.entries()) {
    const lora = await trainTaskLora({ base: base.weights, config, task, seed });
    await writeLibraryEntry(libraryDir(out), task, lora.adapter);
    record.tasks.push({ id: task.id, steps: lora.steps, validationAccuracy: lora.accuracy });
    loraBar.update(i + 1, `${task.id}: validation accuracy ${lora.accuracy.toFixed(3)} in ${lora.steps} steps`);
  }
  loraBar.finish();
  // Wall time varies between runs; keep it out of the checksummed files so rebuilds stay byte-identical.
  record.seconds = Math.round((Date.now() - started) / 1000);
  await writeJsonAtomic(join(out, MANIFEST_FILE), { build: record, files: await checksums(out) });
  process.stderr.write(`built ${tasks.length} LoRAs and the base model into ${out} in ${record.seconds} s\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`build-library failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
