#!/usr/bin/env node
// Checks the built package (run after `npm run build -w @loragen/weight-space`): from dist/index.js (ESM) and from
// dist/index.cjs (CommonJS), the SIMD kernels load and the Gram worker thread starts from dist/gram-worker-thread.mjs,
// serves a loss large enough to be handed over, and gives the same value as one thread. Exit 1 on any failure.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const require = createRequire(import.meta.url);
const tf = require('@tensorflow/tfjs');

async function check(flavor) {
  const ws = flavor === 'cjs' ? require(path.join(dist, 'index.cjs')) : await import(pathToFileURL(path.join(dist, 'index.js')).href);
  await tf.setBackend('cpu');
  ws.setSimdThreads(true);
  const [n, r, dIn, dOut] = [12, 8, 1024, 4096];
  const factors = (seed) => ({ A: tf.randomNormal([n, r, dIn], 0, 1, 'float32', seed), B: tf.randomNormal([n, dOut, r], 0, 1, 'float32', seed + 1) });
  for (let i = 0; i < 100 && !ws.simdThreadsActive(); i++) await new Promise((resolve) => setTimeout(resolve, 50));
  const threads = ws.simdThreadsActive();
  const [pred, target] = [factors(1), factors(3)];
  const withThread = (await ws.spectralLoss(pred, target).data())[0];
  ws.setSimdThreads(false);
  const oneThread = (await ws.spectralLoss(pred, target).data())[0];
  tf.dispose([pred.A, pred.B, target.A, target.B]);
  const ok = ws.simdKernelsActive() && threads && withThread === oneThread;
  console.log(`${flavor}: kernels ${ws.simdKernelsActive()}, worker thread ${threads}, bit-identical ${withThread === oneThread}`);
  return ok;
}

const results = [await check('esm'), await check('cjs')];
process.exit(results.every(Boolean) ? 0 : 1);
