#!/usr/bin/env node
// One training step of the losses (adapterLoss forward + backward, target prepared once, and raw target) on wasm with
// the SIMD kernels, timed from a built copy of the package: `node scripts/bench-loss-step.mjs [--dist DIR]` (default
// this package's dist/). Prints one JSON line. To compare two builds, run it alternately for each `--dist` (two
// copies of the package cannot share one process: they register the same tfjs kernel names).
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: { dist: { type: 'string' }, reps: { type: 'string', default: '10' }, layout: { type: 'string', default: 'flan' } },
});
const require = createRequire(import.meta.url);
const tf = require('@tensorflow/tfjs');
require('@tensorflow/tfjs-backend-wasm');
const dist = path.resolve(args.dist ?? path.join(packageDir, 'dist'));
const ws = await import(pathToFileURL(path.join(dist, 'index.js')).href);

const LAYOUTS = {
  flan: [{ positions: 144, dOut: 1024, dIn: 1024, r: 16 }],
  gemma: [
    { positions: 26, dOut: 2048, dIn: 2304, r: 8 },
    { positions: 26, dOut: 1024, dIn: 2304, r: 8 },
  ],
};
await tf.setBackend('wasm');
await tf.ready();
const groups = LAYOUTS[args.layout].map(({ positions, dOut, dIn, r }, i) => ({
  r,
  target: {
    A: tf.randomNormal([positions, r, dIn], 0, 1, 'float32', 10 * i + 1),
    B: tf.randomNormal([positions, dOut, r], 0, 1, 'float32', 10 * i + 2),
  },
  pred: {
    A: tf.variable(tf.randomNormal([positions, r, dIn], 0, 1, 'float32', 10 * i + 3)),
    B: tf.variable(tf.randomNormal([positions, dOut, r], 0, 1, 'float32', 10 * i + 4)),
  },
}));
const prepared = groups.map((g) => ws.prepareTarget(g.target));

async function time(loss) {
  const once = async () => {
    const t0 = performance.now();
    const { value, grads } = tf.variableGrads(() => tf.addN(groups.map(loss)));
    await value.data();
    tf.dispose([value, ...Object.values(grads)]);
    return performance.now() - t0;
  };
  for (let i = 0; i < 5; i++) await once();
  const times = [];
  for (let i = 0; i < Number(args.reps); i++) times.push(await once());
  return { median: [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)], fastest: Math.min(...times) };
}

const raw = await time((g) => ws.adapterLoss(g.pred, g.target, { angularWeight: 1, spectralWeight: 1, spectral: { k: g.r, weights: 'uniform' } }));
const warm = await time((g, i) => ws.adapterLoss(g.pred, prepared[i]));
console.log(JSON.stringify({ dist, layout: args.layout, kernels: ws.simdKernelsActive(), threads: ws.simdThreadsActive(), raw, prepared: warm }));
