// npm run bench: angular + spectral, forward + backward, on wasm, for the FLAN-T5-large and Gemma-2-2B layouts:
// factored (this package), the dense path (timed on a few positions, extrapolated), and PyTorch CPU beside it
// (tools/bench/anchors/torch_cpu_losses.py with Debian's python3-torch), all in one run. Needs `npm run build`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { adapterLoss, denseAngularLoss, denseSpectralLoss, prepareTarget, simdThreadsActive } from '../dist/index.js';
import { kernelTable } from './kernels.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../../..');
const REPS = Number(process.env.BENCH_REPS ?? 20);
/**
 * Calls before timing: V8 runs WebAssembly on its baseline tier first and recompiles hot functions with its
 * optimising tier in the background (on both threads), and the Gram worker starts during the first calls; about
 * five calls reach the steady state a training loop runs in.
 */
const WARMUP = 5;
const DENSE_POSITIONS = Number(process.env.BENCH_DENSE_POSITIONS ?? 2);
const TORCH_MATERIALISED_POSITIONS = process.env.BENCH_TORCH_MATERIALISED ?? '1';
const TORCH_RUNS = Number(process.env.BENCH_TORCH_RUNS ?? 5);

const layouts = [
  {
    name: 'FLAN-T5-large (144 x 1024x1024, r 16)',
    groups: [{ positions: 144, dOut: 1024, dIn: 1024, r: 16 }],
    torch: ['flan-t5-large q,v x3 kinds'],
  },
  {
    name: 'Gemma-2-2B (26 q 2304->2048 + 26 v 2304->1024, r 8)',
    groups: [
      { positions: 26, dOut: 2048, dIn: 2304, r: 8 },
      { positions: 26, dOut: 1024, dIn: 2304, r: 8 },
    ],
    torch: ['gemma-2-2b q_proj', 'gemma-2-2b v_proj'],
  },
];

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timeIt(step, reps) {
  const once = async () => {
    const t0 = performance.now();
    const out = step();
    await out[0].data();
    tf.dispose(out);
    return performance.now() - t0;
  };
  for (let i = 0; i < Math.min(reps, WARMUP); i++) await once();
  const times = [];
  for (let i = 0; i < reps; i++) times.push(await once());
  return median(times);
}

function makeGroup({ positions, dOut, dIn, r }, seed) {
  const target = {
    A: tf.randomNormal([positions, r, dIn], 0, 1, 'float32', seed),
    B: tf.randomNormal([positions, dOut, r], 0, 1, 'float32', seed + 1),
  };
  const pred = {
    A: tf.variable(tf.randomNormal([positions, r, dIn], 0, 1, 'float32', seed + 2)),
    B: tf.variable(tf.randomNormal([positions, dOut, r], 0, 1, 'float32', seed + 3)),
  };
  return { target, pred, r };
}

/** One training step's loss and gradients over all groups of a layout. */
const gradStep = (groups, loss) => () => {
  const { value, grads } = tf.variableGrads(() => tf.addN(groups.map(loss)));
  return [value, ...Object.values(grads)];
};

async function measureLayout(layout) {
  const groups = layout.groups.map((g, i) => makeGroup(g, 10 * i + 1));
  // What PyTorch's factored anchor does: angular + mean |sigma_hat - sigma| over all r, target recomputed each call.
  const anchorLike = { angularWeight: 1, spectralWeight: 1 };
  const raw = await timeIt(
    gradStep(groups, (g) => adapterLoss(g.pred, g.target, { ...anchorLike, spectral: { k: g.r, weights: 'uniform' } })),
    REPS,
  );
  // A training loop: the target's singular values are prepared once, paper defaults (energy k and weights).
  const prepared = groups.map((g) => prepareTarget(g.target));
  const warm = await timeIt(
    gradStep(groups, (g, i) => adapterLoss(g.pred, prepared[i])),
    REPS,
  );
  prepared.forEach((p) => p.dispose());
  // Dense: materialise dW for a few positions of each group and extrapolate to all positions.
  let dense = 0;
  for (const g of groups) {
    const count = Math.min(DENSE_POSITIONS, g.target.A.shape[0]);
    const slice = (t) => tf.slice(t, 0, count);
    const sub = {
      target: { A: slice(g.target.A), B: slice(g.target.B) },
      pred: { A: tf.variable(slice(g.pred.A)), B: tf.variable(slice(g.pred.B)) },
      r: g.r,
    };
    const ms = await timeIt(
      gradStep([sub], (s) => {
        const p = tf.matMul(s.pred.B, s.pred.A);
        const t = tf.matMul(s.target.B, s.target.A);
        return tf.add(denseAngularLoss(p, t), denseSpectralLoss(p, t, { k: s.r, weights: 'uniform' }));
      }),
      1,
    );
    dense += (ms * g.target.A.shape[0]) / count;
    tf.dispose([sub.target.A, sub.target.B, sub.pred.A, sub.pred.B]);
  }
  groups.forEach((g) => tf.dispose([g.target.A, g.target.B, g.pred.A, g.pred.B]));
  return { raw, warm, dense };
}

/** One run of the PyTorch anchor: its JSON lines by layout, or { error }. */
function torchRun(materialised) {
  const script = path.join(repo, 'tools/bench/anchors/torch_cpu_losses.py');
  const run = spawnSync('/usr/bin/python3', [script, materialised], { encoding: 'utf8', timeout: 30 * 60 * 1000 });
  if (run.status !== 0) return { error: (run.stderr || run.error?.message || 'failed').trim().split('\n').pop() };
  return Object.fromEntries(
    run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
      .map((row) => [row.layout, row]),
  );
}

/**
 * PyTorch's factored time depends on whether its second thread gets a core (about 350 ms for FLAN-T5-large with
 * the machine to itself, about 700 ms with another process running), so the anchor runs TORCH_RUNS times, the
 * materialised path only in the first, and each layout reports the median of the runs' medians; `runs` keeps every
 * value for the notes.
 */
function torchAnchor() {
  const first = torchRun(TORCH_MATERIALISED_POSITIONS);
  if (first.error) return first;
  const runs = [first, ...Array.from({ length: TORCH_RUNS - 1 }, () => torchRun('0'))].filter((r) => !r.error);
  for (const [name, row] of Object.entries(first)) {
    const all = runs.map((r) => r[name]?.torch_cpu_factored_ms).filter((v) => v != null);
    row.torch_cpu_factored_ms = median(all);
    row.runs = all;
  }
  return first;
}

await tf.setBackend('wasm');
await tf.ready();
const ours = [];
for (const layout of layouts) ours.push(await measureLayout(layout));
const threadsUsed = simdThreadsActive();
const torch = torchAnchor();
const kernels = await kernelTable();

const fmt = (ms) => (ms == null ? 'n/a' : ms >= 10000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(0)} ms`);
const ratio = (a, b) => (a == null || b == null ? 'n/a' : `${(a / b).toFixed(1)}x`);
const lines = [
  '# @loragen/weight-space benchmark',
  '',
  `Angular + spectral loss, forward + backward, median of ${REPS} (after ${WARMUP} warm-up calls). tfjs ${tf.version.tfjs} on ${tf.getBackend()} ` +
    `(SIMD kernels, Gram worker thread ${threadsUsed ? 'on' : 'off'}), ` +
    `Node ${process.version}, ${os.cpus().length} cores, load average ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' / ')} at the end ` +
    `(the machine is shared: every column was measured in this one run, so ratios compare like with like). ${new Date().toISOString()}.`,
  '',
  '| layout | factored, raw target | factored, prepared target (training loop) | dense path (extrapolated) | dense / factored | PyTorch CPU factored | PyTorch / ours (raw target) | PyTorch materialised (extrapolated) |',
  '| --- | --- | --- | --- | --- | --- | --- | --- |',
];
layouts.forEach((layout, i) => {
  const o = ours[i];
  const rows = torch.error ? [] : layout.torch.map((name) => torch[name]).filter(Boolean);
  const tf_ = rows.length === layout.torch.length ? rows.reduce((s, r) => s + r.torch_cpu_factored_ms, 0) : null;
  const tm =
    rows.length === layout.torch.length && rows.every((r) => r.torch_cpu_materialised_ms_extrapolated != null)
      ? rows.reduce((s, r) => s + r.torch_cpu_materialised_ms_extrapolated, 0)
      : null;
  lines.push(
    `| ${layout.name} | ${fmt(o.raw)} | ${fmt(o.warm)} | ${fmt(o.dense)} | ${ratio(o.dense, o.raw)} | ${fmt(tf_)} | ${ratio(tf_, o.raw)} | ${fmt(tm)} |`,
  );
});
lines.push(
  '',
  `- Factored, raw target: \`adapterLoss\` with weights 1 and 1, \`k = r\`, uniform spectral weights, the target's singular values recomputed each call (what the PyTorch anchor does).`,
  `- Prepared target: \`adapterLoss\` with paper defaults and \`prepareTarget\` done once, as in a training loop.`,
  `- Dense path: \`denseAngularLoss + denseSpectralLoss\` on materialised dW (B A formed for prediction and target), timed on ${DENSE_POSITIONS} position(s) per group and scaled to all positions. Its singular values come from a rank-32 subspace iteration (6 power iterations); an exact dense SVD of 1024 x 1024 with tfjs ops is not practical.`,
  `- PyTorch: \`tools/bench/anchors/torch_cpu_losses.py ${TORCH_MATERIALISED_POSITIONS}\` (a copy of ../shared/anchors/torch_cpu_losses.py taking the number of materialised positions as an argument, plus Gemma v_proj), Debian python3-torch, 2 threads; materialised = full SVD, extrapolated from ${TORCH_MATERIALISED_POSITIONS} position(s).` +
    (torch.error
      ? ` Not measured here: ${torch.error}.`
      : ` The factored column is the median of ${TORCH_RUNS} runs of the anchor (each a median of 5), because its time depends on what else runs (its second thread); the runs gave ` +
        layouts
          .map((l) => l.torch.map((name) => `${name}: ${(torch[name]?.runs ?? []).map((v) => v.toFixed(0)).join(', ')} ms`).join('; '))
          .join('; ') +
        '.'),
);
lines.push(
  '',
  'Kernels dispatched per call (`tf.profile` on this backend; the counts do not depend on the matrix sizes), for the tfjs-ops implementation ' +
    '(what webgpu and other GPU backends run: each kernel is a launch there, so this count, not arithmetic, sets the time; group module types into one call, ' +
    'with leading axes or `groupFactors` for different dOut x dIn, to pay it once) and for the SIMD kernels cpu and wasm use (the factor work is a few ' +
    'registered kernels; most of the rest are small per-position ops, and tfjs saving their small inputs for the backward pass).',
  '',
  kernels,
);
const table = lines.join('\n') + '\n';
console.log(table);
const outDir = path.join(repo, 'benchmarks');
if (!existsSync(outDir)) mkdirSync(outDir, { recursive: true });
const tmp = path.join(outDir, `.weight-space.md.${process.pid}`);
writeFileSync(tmp, table);
renameSync(tmp, path.join(outDir, 'weight-space.md'));
