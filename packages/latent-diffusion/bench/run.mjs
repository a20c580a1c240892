// `npm run bench`: sampling time on wasm for one latent set with a 4-layer width-128 DiT, and each sampler's
// accuracy on the closed-form Gaussian problem at the same step count. Reads the BUILT package (build first).
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import * as lib from '../dist/index.js';
import { forwardKernels, kernelCounts, KERNEL_MODEL } from './kernels.mjs';

const { closedFormGaussianDenoiser, createSchedule, DiT, gaussianMomentErrors, SeededRng, sample } = lib;

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(here, '../../../benchmarks/latent-diffusion.md');

const loadAtStart = loadavg()[0];
await tf.setBackend('wasm');
await tf.ready();

const schedule = createSchedule({ kind: 'linear', timesteps: 1000, betaStart: 1e-4, betaEnd: 0.02 });
const samplers = [
  { sampler: 'ddpm', steps: 500 },
  { sampler: 'ddim', steps: 50 },
  { sampler: 'dpmpp-2m', steps: 20 },
];

/**
 * Median wall time and median process CPU time (ms) of `runs` samplings of one latent set [1, tokens, 64], after
 * one warm-up run. The CPU time shows the cost when the machine is shared (wasm runs on one thread in Node).
 * `perStep` evaluates `predict` at every step (a denoiser without `prepare`), the path every step took before.
 */
async function timeSampling(tokens, options, runs, { heads = 8, width = 128, perStep = false } = {}) {
  const model = new DiT({ tokens, channels: 64, width, depth: 4, heads, condDim: 1024, seed: 1 });
  const cond = tf.tensor2d(new SeededRng(1).normals(1024), [1, 1024]);
  const denoiser = perStep ? (xt, t, c) => model.predict(xt, t, c) : model.asDenoiser();
  const once = async (seed) => {
    const cpu = process.cpuUsage();
    const start = performance.now();
    const x = await sample({ denoiser, shape: [1, tokens, 64], schedule, cond, seed, ...options });
    await x.data();
    x.dispose();
    const used = process.cpuUsage(cpu);
    return { wall: performance.now() - start, cpu: (used.user + used.system) / 1000 };
  };
  await once(0);
  const runsDone = [];
  for (let r = 0; r < runs; r++) runsDone.push(await once(r + 1));
  cond.dispose();
  model.dispose();
  const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return { wall: median(runsDone.map((r) => r.wall)), cpu: median(runsDone.map((r) => r.cpu)) };
}

/** Worst per-dimension mean error (in sigma) and std error (relative) with the exact Gaussian denoiser. */
async function closedFormError(options, n) {
  const dims = 8;
  const data = {
    mu: Array.from({ length: dims }, (_, i) => -1 + (2 * i) / (dims - 1)),
    sigma: Array.from({ length: dims }, (_, i) => 0.2 + (0.6 * ((i * 3) % dims)) / (dims - 1)),
  };
  const denoiser = closedFormGaussianDenoiser(data, schedule);
  const x = await sample({ denoiser, shape: [n, dims], schedule, seed: 2024, ...options });
  const { meanErrorInSigma, stdRelativeError } = await gaussianMomentErrors(x, data);
  x.dispose();
  denoiser.dispose();
  return { meanErr: meanErrorInSigma, stdErr: stdRelativeError };
}

const rows = [];
for (const options of samplers) {
  const time = await timeSampling(52, options, options.steps > 100 ? 3 : 7);
  const test = await closedFormError(options, 4000);
  const large = await closedFormError(options, 40000);
  rows.push({ ...options, time, test, large });
  console.error(`${options.sampler}-${options.steps}: ${time.wall.toFixed(0)} ms`);
}
const guided = await timeSampling(52, { sampler: 'dpmpp-2m', steps: 20, guidanceScale: 2 }, 7);
const flan = await timeSampling(288, { sampler: 'dpmpp-2m', steps: 20 }, 5);
const flanTwoHeads = await timeSampling(288, { sampler: 'dpmpp-2m', steps: 20 }, 5, { heads: 2 });

// The issue's model (DiT 4 x 64, 8 heads, 144 x 64): kernels and time per step, prepared run vs predict per step.
const issueCases = [
  { name: 'ddpm 500', options: { sampler: 'ddpm', steps: 500 }, runs: 3 },
  { name: 'dpmpp-2m 20', options: { sampler: 'dpmpp-2m', steps: 20 }, runs: 5 },
  { name: 'dpmpp-2m 20, guidance 2', options: { sampler: 'dpmpp-2m', steps: 20, guidanceScale: 2 }, runs: 5 },
];
const issueRows = [];
for (const { name, options, runs } of issueCases) {
  const row = { name };
  for (const perStep of [true, false]) {
    const time = await timeSampling(KERNEL_MODEL.tokens, options, runs, { width: KERNEL_MODEL.width, perStep });
    const kernels = await kernelCounts(lib, { sampler: options.sampler, guidanceScale: options.guidanceScale, plain: perStep });
    row[perStep ? 'perStep' : 'prepared'] = { time, kernels };
  }
  issueRows.push(row);
  console.error(`${name}: ${row.perStep.time.wall.toFixed(0)} -> ${row.prepared.time.wall.toFixed(0)} ms`);
}
const forward = await forwardKernels(lib);
const baseline = rows[0].time;

const pct = (x) => `${(100 * x).toFixed(1)}%`;
const lines = [
  '# @loragen/latent-diffusion benchmark',
  '',
  `Backend wasm (tfjs ${tf.version.tfjs}), Node ${process.version}, ${new Date().toISOString().slice(0, 10)}. DiT: 4 layers,`,
  'width 128, 8 heads, condition 1024-d; one latent set, batch 1; median wall time after a warm-up run. Closed-form',
  'error: samples of N(mu, diag sigma^2), sigma 0.2..0.8, with the exact optimal v-predictor; worst dimension; 4,000',
  'samples as in the unit test (sampling noise of a std estimate about 1.1%) and 40,000 (about 0.35%).',
  'Schedule: linear 1e-4 -> 0.02, T = 1000 (DDPM-500 uses every second timestep).',
  `Machine: ${cpus().length} cores shared with other jobs, load average ${loadAtStart.toFixed(1)} at the start, so wall`,
  'times are inflated; CPU ms (this process, user + system) is the cost of the work itself.',
  '',
  '| sampler | steps | 52 x 64: wall ms | CPU ms | speed-up vs DDPM-500 (wall / CPU) | std error, 4k | mean error (sigma), 4k | std error, 40k | mean error (sigma), 40k |',
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ...rows.map(
    (r) =>
      `| ${r.sampler} | ${r.steps} | ${r.time.wall.toFixed(0)} | ${r.time.cpu.toFixed(0)} | ${(baseline.wall / r.time.wall).toFixed(1)}x / ${(baseline.cpu / r.time.cpu).toFixed(1)}x | ` +
      `${pct(r.test.stdErr)} | ${r.test.meanErr.toFixed(3)} | ${pct(r.large.stdErr)} | ${r.large.meanErr.toFixed(3)} |`,
  ),
  '',
  `DiT of the issue (4 blocks, width 64, 8 heads, condition 1024-d, 144 x 64): one \`predict\` dispatches`,
  `${forward.compute} compute kernels (${forward.all} tf.profile entries, the rest reshapes and custom-gradient`,
  'wrappers). Kernels per sampler step (compute / all, from tf.profile) and times for a whole run, evaluating',
  '`predict` at every step vs the prepared run of `asDenoiser()`:',
  '',
  '| run | kernels / step, per-step predict | kernels / step, prepared | wall ms (CPU ms), per-step | wall ms (CPU ms), prepared | CPU speed-up |',
  '| --- | --- | --- | --- | --- | --- |',
  ...issueRows.map(
    ({ name, perStep: a, prepared: b }) =>
      `| ${name} | ${a.kernels.compute} / ${a.kernels.all} | ${b.kernels.compute} / ${b.kernels.all} | ` +
      `${a.time.wall.toFixed(0)} (${a.time.cpu.toFixed(0)}) | ${b.time.wall.toFixed(0)} (${b.time.cpu.toFixed(0)}) | ` +
      `${(a.time.cpu / b.time.cpu).toFixed(2)}x |`,
  ),
  '',
  'Before this change (commit 4382b50, counted with the same `bench/kernels.mjs`): 237 compute kernels (343',
  'entries) per `predict`; per step 249 / 355 (ddpm), 251 / 357 (dpmpp-2m), 492 / 703 (dpmpp-2m, guidance 2).',
  'On wasm the step is compute-bound (about 13 ms of CPU a step at 144 x 64, most of it in BatchMatMul), so fewer',
  'kernels barely change its time; they matter where each dispatch costs, on WebGPU. One-off measurement on the',
  'NVIDIA H200 (tfjs-backend-webgpu, Dawn, Node; same model with its initial weights; median of 3 after a warm-up;',
  'timings there vary by about 20% between runs), before -> per-step predict -> prepared: DDPM-500 13,014 ->',
  '10,614 -> 9,626 ms; DPM-Solver++(2M)-20 470 -> 451 -> 365 ms; with guidance 2 1,093 -> 790 -> 392 ms',
  '(PyTorch: 838 ms for DDPM-500, 27.7 ms for DPM-Solver++-20). Initial weights predict 0: these runs time',
  'the work; equal outputs are what the unit tests check.',
  '',
  '| setting | wall ms | CPU ms |',
  '| --- | --- | --- |',
  `| dpmpp-2m 20 steps, 52 x 64, guidance 2 (two evaluations a step) | ${guided.wall.toFixed(0)} | ${guided.cpu.toFixed(0)} |`,
  `| dpmpp-2m 20 steps, 288 x 64 (FLAN-T5-large layout) | ${flan.wall.toFixed(0)} | ${flan.cpu.toFixed(0)} |`,
  `| dpmpp-2m 20 steps, 288 x 64, 2 heads of 64 instead of 8 of 16 | ${flanTwoHeads.wall.toFixed(0)} | ${flanTwoHeads.cpu.toFixed(0)} |`,
  '',
  'Targets: DPM-Solver++-20 <= 1000 ms with std error <= 5% (52 x 64); 288 x 64 <= 1000 ms. For scale, the',
  "reference's 500-step DDPM takes 1131 ms for one 288 x 64 latent set in PyTorch on an H200.",
  '',
];
const table = lines.join('\n');
console.log(table);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(`${out}.tmp`, table);
renameSync(`${out}.tmp`, out);
