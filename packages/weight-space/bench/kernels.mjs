// Kernels of one module type's loss (forward + backward), counted with tf.profile, on the backend named on the
// command line (`npm run bench:kernels -- webgpu|wasm|cpu`, default cpu; reads the BUILT package, or the index.js
// given as second argument), for the tfjs-ops formulation and for the backend's registered kernels (the SIMD
// kernels on cpu and wasm, the WGSL kernels on webgpu). On a GPU the losses cost launches, not arithmetic, so the
// count is what to keep small; on webgpu the dispatches, compute passes and queue submits of one call are counted
// at the backend too. Neither count depends on the matrix sizes (small ones are used). run.mjs includes the table.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { backendArgument, countDispatches, kernelSummary, useBenchBackend } from '../../../tools/scripts/bench-backend.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Switches every registered-kernel path of the library on or off (the WebGPU switch exists from 0.x with it). */
function setKernels(lib, on) {
  lib.setSimdKernels(on);
  lib.setWebGpuKernels?.(on);
}
const kernelsActive = (lib) => lib.simdKernelsActive() || !!lib.webGpuKernelsActive?.();

async function profile(loss, reps) {
  const step = () => {
    const { value, grads } = tf.variableGrads(() => loss());
    tf.dispose(grads);
    return value;
  };
  (await step().data(), undefined); // warm-up: compiles shaders, starts workers
  const info = await tf.profile(() => step());
  const byName = {};
  for (const k of info.kernels) byName[k.name] = (byName[k.name] ?? 0) + 1;
  const top = Object.entries(byName)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([n, c]) => `${n} ${c}`)
    .join(', ');
  const summary = kernelSummary(info.kernels);
  const gpu = await countDispatches(async () => {
    const v = step();
    await v.data();
    v.dispose();
  });
  const times = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    const v = step();
    await v.data();
    v.dispose();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { ...summary, top, gpu, ms: times[Math.floor(reps / 2)] };
}

/** A Markdown table of kernel counts for the ways of calling the losses (24 positions, r 16) on the active backend. */
export async function kernelTable(lib) {
  lib ??= await import(pathToFileURL(path.join(here, '../dist/index.js')).href);
  const { adapterLoss, angularLoss, prepareTarget, spectralLoss } = lib;
  const [positions, dOut, dIn, r] = [24, 64, 48, 16];
  const target = { A: tf.randomNormal([positions, r, dIn], 0, 1, 'float32', 1), B: tf.randomNormal([positions, dOut, r], 0, 1, 'float32', 2) };
  const pred = {
    A: tf.variable(tf.randomNormal([positions, r, dIn], 0, 1, 'float32', 3)),
    B: tf.variable(tf.randomNormal([positions, dOut, r], 0, 1, 'float32', 4)),
  };
  const prepared = prepareTarget(target);
  const cases = [
    ['`spectralLoss`, raw target', () => spectralLoss(pred, target)],
    ['`angularLoss + spectralLoss`, raw target', () => tf.add(angularLoss(pred, target), spectralLoss(pred, target))],
    ['`adapterLoss`, raw target', () => adapterLoss(pred, target)],
    ['`adapterLoss`, prepared target', () => adapterLoss(pred, prepared)],
  ];
  const backend = tf.getBackend();
  const cell = (c) => `${c.all} / ${c.compute}${c.gpu ? ` / ${c.gpu.dispatches} / ${c.gpu.passes} / ${c.gpu.submits}` : ''}`;
  const what = backend === 'webgpu' ? 'kernels / compute kernels / dispatches / passes / submits' : 'kernels / compute kernels';
  const rows = [
    `| ${backend}: one module type, ${positions} positions, r ${r}, forward + backward | tfjs ops: ${what} | ms | registered kernels: ${what} | ms | most frequent (registered kernels) |`,
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const [name, loss] of cases) {
    setKernels(lib, false);
    const ops = await profile(loss, 1);
    setKernels(lib, true);
    const own = kernelsActive(lib) ? await profile(loss, 5) : null;
    rows.push(
      `| ${name} | ${cell(ops)} | ${ops.ms.toFixed(1)} | ${own ? cell(own) : 'n/a'} | ${own ? own.ms.toFixed(1) : 'n/a'} | ${own ? own.top : `none on ${backend}`} |`,
    );
  }
  prepared.dispose();
  tf.dispose([target.A, target.B, pred.A, pred.B]);
  return rows.join('\n');
}

// run as a script (not when bundled into tools/gpu-bench's device bundle, whose entry calls kernelTable)
if (process.argv[1]?.endsWith(path.join('bench', 'kernels.mjs')) && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await useBenchBackend(backendArgument());
  const lib = await import(
    process.argv[3] ? pathToFileURL(path.resolve(process.argv[3])).href : pathToFileURL(path.join(here, '../dist/index.js')).href
  );
  console.log(await kernelTable(lib));
}
