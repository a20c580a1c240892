// npm run bench (second part; alone: npm run bench:arithmetic): adapter arithmetic on wasm against PEFT's SVD merge.
// Merges three rank-16 adapters (weights 0.5 / 0.3 / 0.2, scaling 2) to rank 16 on the Llama-2-7B q/v layout and the
// FLAN-T5-large layout with `merge`, and runs the anchor tools/bench/anchors/torch_peft_svd_merge.py (a copy of
// ../shared/anchors/torch_peft_svd_merge.py: PEFT's add_weighted_adapter(combination_type="svd"), dense dW and a full
// torch.linalg.svd per module, Debian python3-torch, 2 threads) in the same run, timed on a few modules and
// extrapolated to the layout. Each side runs in its own process per layout, so each peak resident memory is that
// layout's. Writes benchmarks/adapter-arithmetic.json ({ layouts: [{ name, oursMs, anchorMs, ratio }] }) and
// benchmarks/adapter-arithmetic.md. Needs `npm run build`.
import { spawnSync } from 'node:child_process';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../../..');
const REPS = Number(process.env.BENCH_REPS ?? 10);
/** Calls before timing: V8 tiers hot WebAssembly up in the background and the Gram worker starts during the first calls. */
const WARMUP = 3;
const LAYOUTS = [
  // index into the anchor's LAYOUTS, and how many modules the anchor times (its full SVD of 4096 x 4096 takes minutes)
  // rounds: ours and the anchor measured alternately, so that both see the machine's load of the moment (it is shared)
  {
    name: 'Llama-2-7B q_proj + v_proj (64 x 4096x4096)',
    modules: 64,
    dOut: 4096,
    dIn: 4096,
    anchor: 0,
    anchorModules: Number(process.env.BENCH_ANCHOR_LLAMA ?? 1),
    rounds: 1,
  },
  {
    name: 'FLAN-T5-large q + v x 3 kinds (144 x 1024x1024)',
    modules: 144,
    dOut: 1024,
    dIn: 1024,
    anchor: 1,
    anchorModules: Number(process.env.BENCH_ANCHOR_FLAN ?? 3),
    rounds: Number(process.env.BENCH_ROUNDS ?? 3),
  },
];
const [RANK, WEIGHTS, SCALING] = [16, [0.5, 0.3, 0.2], 2];
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Child process: one layout's merge on wasm, timed; prints one JSON line. */
async function child(index) {
  const tf = await import('@tensorflow/tfjs');
  await import('@tensorflow/tfjs-backend-wasm');
  const { merge, simdThreadsActive } = await import('../dist/index.js');
  await tf.setBackend('wasm');
  await tf.ready();
  const { modules, dOut, dIn } = LAYOUTS[index];
  // the anchor's distribution: A ~ N(0, 1/dIn), B ~ N(0, 1/r); every module its own draw (seeds from 1: 0 means random)
  const adapters = WEIGHTS.map((_, a) => ({
    modules: Array.from({ length: modules }, (_, m) => ({
      name: `module${m}`,
      A: tf.randomNormal([RANK, dIn], 0, 1 / Math.sqrt(dIn), 'float32', 1 + 2 * (a * modules + m)),
      B: tf.randomNormal([dOut, RANK], 0, 1 / Math.sqrt(RANK), 'float32', 2 + 2 * (a * modules + m)),
      scaling: SCALING,
    })),
  }));
  const once = async () => {
    const t0 = performance.now();
    const out = await merge(adapters, { weights: WEIGHTS, rank: RANK });
    await out.modules.at(-1).B.data();
    const ms = performance.now() - t0;
    const ranks = new Set(out.modules.map((m) => m.rank));
    const energy = out.modules.reduce((s, m) => s + m.energy, 0) / out.modules.length;
    tf.dispose(out.modules.flatMap((m) => [m.A, m.B]));
    return { ms, ranks: [...ranks], energy };
  };
  for (let i = 0; i < WARMUP; i++) await once();
  const runs = [];
  for (let i = 0; i < REPS; i++) runs.push(await once());
  const times = runs.map((r) => r.ms);
  console.log(
    JSON.stringify({
      times,
      min: Math.min(...times),
      max: Math.max(...times),
      ranks: runs[0].ranks,
      energy: runs[0].energy,
      threads: simdThreadsActive(),
      peakRssMb: process.resourceUsage().maxRSS / 1024,
      inputMb: (WEIGHTS.length * modules * RANK * (dIn + dOut) * 4) / 2 ** 20,
      tfjs: tf.version.tfjs,
    }),
  );
}

function json(run, what) {
  if (run.status !== 0) throw new Error(`${what} failed: ${(run.stderr || run.error?.message || '').trim().split('\n').slice(-3).join(' | ')}`);
  return JSON.parse(run.stdout.trim().split('\n').at(-1));
}

async function main() {
  const rows = [];
  for (const [index, layout] of LAYOUTS.entries()) {
    const script = path.join(repo, 'tools/bench/anchors/peft_svd_merge_layout.py');
    const rounds = [];
    for (let round = 0; round < layout.rounds; round++) {
      const ours = json(
        spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', String(index)], { encoding: 'utf8' }),
        `our merge of ${layout.name}`,
      );
      console.error(
        `${layout.name}, round ${round + 1}/${layout.rounds}: ours ${median(ours.times).toFixed(1)} ms (median of ${REPS}); the anchor on ${layout.anchorModules} module(s)...`,
      );
      const anchor = json(
        spawnSync('/usr/bin/python3', [script, String(layout.anchor), String(layout.anchorModules)], { encoding: 'utf8', timeout: 60 * 60 * 1000 }),
        'the anchor',
      );
      console.error(`  anchor ${anchor.msPerModule.toFixed(0)} ms per module`);
      rounds.push({ ours, anchor });
    }
    // ours: the median of every timed call of every round; the anchor: the median of its rounds' per-module medians
    const times = rounds.flatMap((r) => r.ours.times);
    const perModule = median(rounds.map((r) => r.anchor.msPerModule));
    const ours = {
      ...rounds[0].ours,
      ms: median(times),
      min: Math.min(...times),
      max: Math.max(...times),
      peakRssMb: Math.max(...rounds.map((r) => r.ours.peakRssMb)),
    };
    const anchor = {
      ...rounds[0].anchor,
      msPerModule: perModule,
      msExtrapolated: perModule * layout.modules,
      rounds: rounds.map((r) => r.anchor.msPerModule),
      peakRssMb: Math.max(...rounds.map((r) => r.anchor.peakRssMb)),
    };
    rows.push({ layout, ours, anchor, oursRounds: rounds.map((r) => median(r.ours.times)) });
  }
  const result = {
    layouts: rows.map(({ layout, ours, anchor }) => ({
      name: layout.name,
      oursMs: ours.ms,
      anchorMs: anchor.msExtrapolated,
      ratio: anchor.msExtrapolated / ours.ms,
    })),
  };
  const fmt = (ms) => (ms >= 60_000 ? `${(ms / 60_000).toFixed(1)} min` : ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(0)} ms`);
  const lines = [
    '# Adapter arithmetic benchmark',
    '',
    `Merging three rank-16 adapters (weights 0.5 / 0.3 / 0.2, scaling 2) to rank 16, every module. Ours: \`merge\` of @loragen/weight-space ` +
      `on tfjs ${rows[0].ours.tfjs} wasm (SIMD kernels, Gram worker thread ${rows[0].ours.threads ? 'on' : 'off'}), from the factors as tensors to the merged ` +
      `factors, median of every call (${REPS} per round, after ${WARMUP} warm-up calls). Anchor: PEFT's \`add_weighted_adapter(combination_type="svd")\` algorithm ` +
      '(`tools/bench/anchors/torch_peft_svd_merge.py`: dense dW, full `torch.linalg.svd`), PyTorch ' +
      `${rows[0].anchor.torch} CPU, ${rows[0].anchor.threads} threads, timed on a few modules (median) and extrapolated to the layout. ` +
      'The two run alternately in rounds (each in its own process), so both see the load of the moment. ' +
      `Node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model?.trim()}), load average ${os
        .loadavg()
        .map((x) => x.toFixed(1))
        .join(' / ')} at the end; ` +
      `both sides measured in this one run (the machine is shared). ${new Date().toISOString()}.`,
    '',
    '| layout | ours | anchor per module | anchor, whole layout (extrapolated) | anchor / ours | ours: peak RSS (inputs) | anchor: peak RSS |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      ({ layout, ours, anchor }) =>
        `| ${layout.name} | ${fmt(ours.ms)} (${fmt(ours.min)} to ${fmt(ours.max)}) | ${fmt(anchor.msPerModule)} (${layout.anchorModules} timed x ${layout.rounds} round(s)) | ` +
        `${fmt(anchor.msExtrapolated)} | ${(anchor.msExtrapolated / ours.ms).toFixed(0)}x | ${ours.peakRssMb.toFixed(0)} MB (${ours.inputMb.toFixed(0)} MB) | ` +
        `${anchor.peakRssMb.toFixed(0)} MB |`,
    ),
    '',
    "- Peak RSS is the whole process's (Node with tfjs-wasm, or Python with torch), each layout in its own process; ours holds " +
      "all of a layout's input factors and its results, the anchor one module's dense dW and its SVD.",
    ...rows.map(
      ({ layout, anchor, oursRounds }) =>
        `- ${layout.name}, by round: ours ${oursRounds.map((ms) => fmt(ms)).join(', ')}; anchor per module ${anchor.rounds.map((ms) => fmt(ms)).join(', ')}.`,
    ),
    `- Ours kept rank ${[...new Set(rows.flatMap((r) => r.ours.ranks))].join(', ')} per module; mean share of sum sigma^2 kept: ` +
      rows.map(({ layout, ours }) => `${layout.name.split(' ')[0]} ${ours.energy.toFixed(4)}`).join(', ') +
      '.',
  ];
  const outDir = path.join(repo, 'benchmarks');
  mkdirSync(outDir, { recursive: true });
  const write = (name, text) => {
    const tmp = path.join(outDir, `.${name}.${process.pid}`);
    writeFileSync(tmp, text);
    renameSync(tmp, path.join(outDir, name));
  };
  write('adapter-arithmetic.json', `${JSON.stringify(result, null, 2)}\n`);
  write('adapter-arithmetic.md', `${lines.join('\n')}\n`);
  console.log(lines.join('\n'));
}

if (process.argv[2] === '--child') await child(Number(process.argv[3]));
else await main();
