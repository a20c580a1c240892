#!/usr/bin/env node
// `npm run build-library -w @loragen/example-demo [-- --library digits|skills]`: builds a library's base model and
// one LoRA per task, writes them (safetensors + PEFT folders) and a manifest with checksums. Seeded: a rebuild is
// byte-identical. The skills library trains its tasks in `--jobs` child processes.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { integer, oneOf, ProgressBar, UsageError } from '@loragen/core/node';
import { trainBaseModel } from '../base/train-base';
import { trainTaskLora } from '../lora/train-lora';
import { saveBaseModel } from '../library/base-model-file';
import { writeJsonAtomic } from '../library/write-text';
import { writeLibraryEntry } from '../library/library-folder';
import { checksums, MANIFEST_FILE, type BuildRecord } from '../library/manifest';
import { DEFAULT_BASE_MODEL_CONFIG } from '../model/config';
import { mergeShardRecords, shardRecordFile, skillsBaseWeights, trainSkillsShard } from '../skills/build-skills-library';
import { SKILLS_BASE_MODEL_CONFIG } from '../skills/planted-skills';
import { listSkillTasks } from '../skills/skill-family';
import { exampleSource, listTasks } from '../tasks/family';
import { ASSETS_DIR, baseModelDir, libraryDir, SKILLS_ASSETS_DIR } from '../library/paths';
import { runInChildren } from '../process/child-pool';
import { defineProgram, programArguments, valueOptions } from '../process/program-arguments';
import { failWith } from '../process/report-failure';

const LIBRARIES = ['digits', 'skills'] as const;

const PROGRAM = defineProgram({
  options: {
    ...valueOptions('library', 'out', 'seed', 'jobs'),
    // a child process's part of the skills library (internal)
    ...valueOptions('shard', 'records'),
  },
  usage: 'npm run build-library -w @loragen/example-demo -- [--library digits|skills] [--out DIR] [--seed N] [--jobs N] [--debug]',
  about: [
    "Builds a library's base model and one LoRA per task (always on wasm: the committed assets are its bit-exact",
    'output) into --out (default examples/demo/assets or assets-skills), with a manifest of checksums. --jobs N trains',
    "the skills library's tasks in N child processes; the result is the same for any N.",
  ],
});
const USAGE = PROGRAM.usage;

async function buildDigits(out: string, seed: number, record: BuildRecord): Promise<void> {
  const tasks = listTasks();
  const config = DEFAULT_BASE_MODEL_CONFIG;
  const baseBar = new ProgressBar('base model', 3000);
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
  record.baseModel = { steps: base.steps, promptedAccuracy: base.accuracy };

  const loraBar = new ProgressBar('task LoRAs', tasks.length);
  for (const [i, task] of tasks.entries()) {
    const lora = await trainTaskLora({ base: base.weights, config, task: exampleSource(task), seed });
    await writeLibraryEntry(libraryDir(out), task, lora.adapter);
    record.tasks.push({ id: task.id, steps: lora.steps, validationAccuracy: lora.accuracy });
    loraBar.update(i + 1, `${task.id}: validation accuracy ${lora.accuracy.toFixed(3)} in ${lora.steps} steps`);
  }
  loraBar.finish();
}

async function buildSkills(out: string, seed: number, jobs: number, record: BuildRecord): Promise<void> {
  await saveBaseModel(baseModelDir(out), skillsBaseWeights(seed), SKILLS_BASE_MODEL_CONFIG);
  record.baseModel = { steps: 0 };
  const records = await mkdtemp(join(tmpdir(), 'loragen-skills-'));
  try {
    const shards = Math.max(1, jobs);
    const bar = new ProgressBar('task LoRAs', listSkillTasks().length);
    if (shards === 1) {
      let done = 0;
      await trainSkillsShard(libraryDir(out), seed, 0, 1, shardRecordFile(records, 0), (r) =>
        bar.update(++done, `${r.id}: validation accuracy ${r.validationAccuracy.toFixed(3)}`),
      );
    } else {
      const shardArgs = Array.from({ length: shards }, (_, k) => [
        '--library',
        'skills',
        '--out',
        out,
        '--seed',
        String(seed),
        '--shard',
        `${k}/${shards}`,
        '--records',
        records,
      ]);
      await runInChildren(fileURLToPath(import.meta.url), shardArgs, jobs);
    }
    record.tasks = await mergeShardRecords(Array.from({ length: shards }, (_, k) => shardRecordFile(records, k)));
    bar.finish(`mean validation accuracy ${(record.tasks.reduce((s, t) => s + t.validationAccuracy, 0) / record.tasks.length).toFixed(3)}`);
  } finally {
    await rm(records, { recursive: true, force: true });
  }
}

/** `--shard k/n`: this process is one of n children training the skills library. */
async function runShard(out: string, seed: number, shard: string, records: string | undefined): Promise<void> {
  const match = /^(\d+)\/(\d+)$/.exec(shard);
  if (!match || Number(match[1]) >= Number(match[2]) || !records)
    throw new UsageError(`--shard must be k/n with k < n, with --records (got '${shard}')`, USAGE);
  await trainSkillsShard(libraryDir(out), seed, Number(match[1]), Number(match[2]), shardRecordFile(records, Number(match[1])), (r) =>
    process.stderr.write(`shard ${shard}: ${r.id} validation accuracy ${r.validationAccuracy.toFixed(3)}\n`),
  );
}

async function main(): Promise<void> {
  const args = programArguments(PROGRAM);
  if (!args) return;
  const library = oneOf(args.library, 'library', LIBRARIES, 'digits', USAGE);
  const out = args.out ?? (library === 'skills' ? SKILLS_ASSETS_DIR : ASSETS_DIR);
  const seed = integer(args.seed, 'seed', 1, USAGE);
  const jobs = integer(args.jobs, 'jobs', 1, USAGE);
  // Always wasm: the committed artefacts are this backend's bit-exact output (cpu rounds differently).
  await tf.setBackend('wasm');
  const shard = args.shard;
  if (shard !== undefined) return runShard(out, seed, shard, args.records);

  const started = Date.now();
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  const record: BuildRecord = { seed, baseModel: { steps: 0 }, tasks: [], seconds: 0, backend: tf.getBackend() };
  if (library === 'skills') await buildSkills(out, seed, jobs, record);
  else await buildDigits(out, seed, record);
  // Wall time varies between runs; keep it out of the checksummed files so rebuilds stay byte-identical.
  record.seconds = Math.round((Date.now() - started) / 1000);
  await writeJsonAtomic(join(out, MANIFEST_FILE), { build: record, files: await checksums(out) });
  process.stderr.write(`built ${record.tasks.length} LoRAs and the base model into ${out} in ${record.seconds} s\n`);
}

main().catch(failWith('build-library'));
