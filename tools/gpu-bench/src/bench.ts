// Times LoRAGen's workloads on one backend and writes them as JSON:
//   node bench.mjs --backend wasm|webgpu --out results.json [--reps N] [--quick] [--layout flan-t5-large|gemma-2-2b]
// Each workload runs in its own child process: a wasm out-of-memory abort (wasm32 heaps
// stop at a few GB) must not poison the workloads after it.
// On the GPU machine DAWN_NODE names Dawn's addon (there is no node_modules there).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { useBackend, type BackendName } from '@loragen/core';
import { installDawnFromFile } from './gpu-setup';
import { LAYOUTS } from './layouts';
import { type Measurement, factoredLoss, generation, stage1Step, stage2Step } from './workloads';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

interface Job {
  workload: string;
  layout: string;
  run: (reps: number) => Promise<Measurement>;
}

function jobs(quick: boolean, only: string | undefined): Job[] {
  const list: Job[] = [];
  for (const layout of LAYOUTS.filter((l) => !only || l.id === only)) {
    const job = (workload: string, run: Job['run']) => list.push({ workload, layout: layout.id, run });
    job('loss fwd+bwd', (reps) => factoredLoss(layout, reps));
    for (const head of ['direct', 'factorised'] as const) {
      for (const batch of [1, 8]) job('stage-1 step', (reps) => stage1Step(layout, batch, head, Math.min(reps, 3)));
    }
    job('stage-2 step', (reps) => stage2Step(layout, Math.min(reps, 3)));
    job('generate dpmpp-2m-20', (reps) => generation(layout, 'dpmpp-2m', 20, reps));
    if (!quick) job('generate ddpm-500', () => generation(layout, 'ddpm', 500, 1));
  }
  return list;
}

async function runOne(backend: BackendName, job: Job, reps: number): Promise<void> {
  if (backend === 'webgpu' && process.env.DAWN_NODE) installDawnFromFile(process.env.DAWN_NODE);
  await useBackend(backend);
  const m = await job.run(reps);
  process.stdout.write(`RESULT ${JSON.stringify(m)}\n`);
}

function drive(backend: string, list: Job[], reps: number): Measurement[] {
  const results: Measurement[] = [];
  list.forEach((job, i) => {
    const child = spawnSync(process.execPath, [process.argv[1], ...process.argv.slice(2), '--job', String(i)], {
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    });
    const line = child.stdout.split('\n').find((l) => l.startsWith('RESULT '));
    const m: Measurement = line
      ? JSON.parse(line.slice(7))
      : { workload: job.workload, layout: job.layout, ms: Number.NaN, detail: `failed: ${lastLine(child.stderr)}` };
    results.push(m);
    console.log(`${m.workload.padEnd(22)} ${m.layout.padEnd(14)} ${m.ms.toFixed(1).padStart(10)} ms  (${m.detail})`);
  });
  return results;
}

const lastLine = (text: string) =>
  text
    .trim()
    .split('\n')
    .filter((l) => /error|abort|fail/i.test(l))
    .pop() ??
  text.trim().split('\n').pop() ??
  '';

async function adapterName(): Promise<string | null> {
  type Info = { vendor?: string; architecture?: string; description?: string };
  const gpu = (globalThis as { navigator?: { gpu?: { requestAdapter(): Promise<{ info?: Info } | null> } } }).navigator?.gpu;
  const info = (await gpu?.requestAdapter())?.info;
  return info ? [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') : null;
}

async function main(): Promise<void> {
  const backend = arg('backend', 'wasm') as BackendName;
  const reps = Number(arg('reps', '5'));
  const list = jobs(process.argv.includes('--quick'), process.argv.includes('--layout') ? arg('layout', '') : undefined);
  const jobIndex = process.argv.indexOf('--job');
  if (jobIndex >= 0) return runOne(backend, list[Number(process.argv[jobIndex + 1])], reps);

  const out = arg('out', `gpu-bench-${backend}.json`);
  const results = drive(backend, list, reps);
  if (backend === 'webgpu' && process.env.DAWN_NODE) installDawnFromFile(process.env.DAWN_NODE);
  await useBackend(backend);
  const doc = {
    date: new Date().toISOString(),
    backend: tf.getBackend(),
    adapter: backend === 'webgpu' ? await adapterName() : null,
    host: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, load: os.loadavg(), node: process.version },
    results,
  };
  fs.writeFileSync(`${out}.tmp`, JSON.stringify(doc, null, 2));
  fs.renameSync(`${out}.tmp`, out);
  console.log(`wrote ${out}`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
