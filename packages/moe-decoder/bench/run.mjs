// `npm run bench` (after `npm run build`): forward + backward step time and parameter counts of the
// ModuleAwareMoEDecoder on wasm, for the paper's two layouts, direct against factorised heads.
// Prints a Markdown table and writes it to <repo>/benchmarks/moe-decoder.md.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { ModuleAwareMoEDecoder, countParameters, plainMatMul } from '../dist/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const outFile = path.resolve(here, '../../../benchmarks/moe-decoder.md');
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const BATCHES = (process.env.BENCH_BATCHES ?? '1,8').split(',').map(Number);

const flanT5Large = {
  title: 'FLAN-T5-large (6 types x 24 layers, 1024x1024, r=16)',
  layers: 24,
  modules: ['encoder_q', 'encoder_v', 'decoder_q', 'decoder_v', 'cross_q', 'cross_v'].map((name) => ({
    name,
    dIn: 1024,
    dOut: 1024,
    rank: 16,
  })),
};
const gemma2 = {
  title: 'Gemma-2-2B (26 layers, q 2304->2048, v 2304->1024, r=8)',
  layers: 26,
  modules: [
    { name: 'q_proj', dIn: 2304, dOut: 2048, rank: 8 },
    { name: 'v_proj', dIn: 2304, dOut: 1024, rank: 8 },
  ],
};
// Same positions and widths with 1x1 rank-1 modules: what embedding, router and experts cost without the heads.
const withoutHeads = (layout) => ({
  ...layout,
  modules: layout.modules.map((m) => ({ ...m, dIn: 1, dOut: 1, rank: 1 })),
});

// Timing only: initial values do not matter, so a uniform stand-in of the right variance fills the weights.
const random = { normals: (n, std = 1) => Float32Array.from({ length: n }, () => std * Math.sqrt(3) * (2 * Math.random() - 1)) };
const common = { latentDim: 64, numExperts: 4, topK: 2, expertHidden: 256, random };

/** Median ms of a full step: decode, a loss on every factor, gradients of all variables. */
async function stepTime(decoder, batch) {
  const z = tf.randomNormal([batch, decoder.positions, common.latentDim], 0, 1, 'float32', 1);
  const vars = Object.values(decoder.variables);
  const step = async () => {
    const { value, grads } = tf.variableGrads(() => {
      const out = decoder.decode(z, { training: true, step: 0 });
      const terms = Object.values(out.factors).flatMap(({ A, B }) => [tf.mean(tf.square(A)), tf.mean(tf.square(B))]);
      return tf.add(tf.addN(terms), out.auxLoss);
    }, vars);
    await value.data(); // wait for the backend to finish
    tf.dispose([value, grads]);
  };
  await step(); // warm-up: kernel compilation, allocations
  const times = [];
  for (let i = 0; i < REPEATS; i++) {
    const t0 = performance.now();
    await step();
    times.push(performance.now() - t0);
  }
  z.dispose();
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

/** Median ms of forward + backward of one FLAN-T5-large head layer, [rows, 256] x [256, 32768], through `mm`. */
async function headLayerTime(mm, rows) {
  const x = tf.randomNormal([rows, 256]);
  const w = tf.randomNormal([256, 32768]);
  const dy = tf.randomNormal([rows, 32768]);
  const grad = tf.grads((a, b) => tf.sum(tf.mul(mm(a, b), dy)));
  const run = async () => {
    const [dx, dw] = grad([x, w]);
    await dw.data();
    tf.dispose([dx, dw]);
  };
  await run();
  const times = [];
  for (let i = 0; i < REPEATS; i++) {
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
  }
  tf.dispose([x, w, dy]);
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

const headParameters = (decoder) =>
  countParameters(Object.fromEntries(Object.entries(decoder.variables).filter(([name]) => name.startsWith('heads/'))));

const fmtParams = (n) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : `${(n / 1e3).toFixed(1)} k`);

const loadAtStart = os.loadavg()[0].toFixed(1);
await tf.setBackend('wasm');
await tf.ready();
const rows = [];
for (const layout of [flanT5Large, gemma2]) {
  const variants = [
    ['direct', { head: 'direct' }, layout],
    ['factorised (headRank 32)', { head: 'factorised', headRank: 32 }, layout],
    ['no heads (1x1 modules): embed + router + experts', { head: 'direct' }, withoutHeads(layout)],
  ];
  const baseline = {};
  for (const [label, options, modules] of variants) {
    const decoder = new ModuleAwareMoEDecoder({
      ...common,
      ...options,
      modules: modules.modules,
      layers: modules.layers,
    });
    const total = countParameters(decoder.variables);
    for (const batch of BATCHES) {
      const ms = await stepTime(decoder, batch);
      baseline[batch] ??= ms;
      rows.push({
        layout: layout.title,
        head: label,
        batch,
        positions: decoder.positions,
        total,
        heads: headParameters(decoder),
        ms,
        ratio: ms / baseline[batch],
      });
      console.error(`${layout.title} | ${label} | batch ${batch}: ${ms.toFixed(0)} ms`);
    }
    decoder.dispose();
  }
}

const matmulRows = [];
for (const batch of BATCHES) {
  const rows = batch * flanT5Large.layers; // one module type's positions
  const tfjs = await headLayerTime((a, b) => tf.matMul(a, b), rows);
  const plain = await headLayerTime(plainMatMul, rows);
  matmulRows.push(`| ${rows} | ${tfjs.toFixed(0)} | ${plain.toFixed(0)} | ${(tfjs / plain).toFixed(1)}x |`);
  console.error(`head layer, ${rows} rows: tf.matMul ${tfjs.toFixed(0)} ms, plainMatMul ${plain.toFixed(0)} ms`);
}

const lines = [
  '# @loragen/moe-decoder benchmark',
  '',
  `wasm backend (SIMD, single thread), Node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}), ` +
    `${new Date().toISOString().slice(0, 10)}, load average ${loadAtStart} at the start (the cores are shared: compare ratios, not ` +
    'absolute times). E = 4, K = 2, latentDim 64, expertHidden 256. ' +
    `Step = decode + a mean-square loss on every factor + gradients of every variable; median of ${REPEATS} after one warm-up. ` +
    'Ratios are against the direct head of the same layout and batch, measured in the same run.',
  '',
  '| layout | head | batch | positions | parameters | of which heads | step ms | vs direct |',
  '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...rows.map(
    (r) =>
      `| ${r.layout} | ${r.head} | ${r.batch} | ${r.positions} | ${fmtParams(r.total)} | ${fmtParams(r.heads)} | ` +
      `${r.ms.toFixed(0)} | ${r.ratio.toFixed(2)}x |`,
  ),
  '',
  "One FLAN-T5-large head layer, [rows, 256] x [256, 32768], forward + backward (ms): tfjs's MatMul gradient (matmuls",
  'with transposeA / transposeB) against `plainMatMul` (untransposed matmuls), which every layer of the decoder uses.',
  '',
  '| rows (batch x 24 layers) | tf.matMul | plainMatMul | speed-up |',
  '| ---: | ---: | ---: | ---: |',
  ...matmulRows,
  '',
];
const table = lines.join('\n');
console.log(table);
mkdirSync(path.dirname(outFile), { recursive: true });
const tmp = `${outFile}.${process.pid}.tmp`;
writeFileSync(tmp, table);
renameSync(tmp, outFile);
