// Kernels a sampler step dispatches (tf.profile), for the model of the issue: DiT 4 blocks, width 64, 8 heads,
// condition 1024-d, one latent set of 144 x 64.
//   npm run bench:kernels -- webgpu|wasm|cpu [built index.js]      (default wasm and ../dist/index.js)
// prints the counts per step, with and without the prepared plan, the wall time per step, and on webgpu the
// dispatches, compute passes and queue submits per step counted at the backend.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { countDispatches, useBenchBackend } from '../../../tools/scripts/bench-backend.mjs';

// tf.profile also lists reshapes (views of the same data: nothing is dispatched on cpu, wasm or webgpu) and the
// wrapper entries of ops with custom gradients (tfjs's own, named `...__op`, and tf.customGrad's, named
// 'unnamed scope'); `compute` counts the rest (casts included, even to the same dtype).
const VIEWS = new Set(['Reshape', 'ExpandDims', 'Squeeze']);
const isWrapper = (name) => name.endsWith('__op') || name === 'unnamed scope';
const counts = (kernels) => ({
  all: kernels.length,
  compute: kernels.filter((k) => !isWrapper(k.name) && !VIEWS.has(k.name)).length,
});

export const KERNEL_MODEL = { tokens: 144, channels: 64, width: 64, depth: 4, heads: 8, condDim: 1024, seed: 1 };

/**
 * Kernels per step and per run set-up of `sampler`, with the DiT's prepared path (`asDenoiser()`) or, with
 * `plain`, a bare function that evaluates `predict` at every step. Two runs of n and 2n steps: the difference
 * is n steps' worth, the rest is set-up. With `timed`, also the wall ms per step (the same difference, medians of
 * three) and on webgpu the dispatches, passes and submits per step.
 */
export async function kernelCounts(lib, { sampler, guidanceScale = 1, plain = false, steps = 4, batch = 1, timed = false }) {
  const model = new lib.DiT(KERNEL_MODEL);
  const schedule = lib.createSchedule({ kind: 'linear', timesteps: 1000 });
  const cond = tf.tile(tf.tensor2d(new lib.SeededRng(1).normals(1024), [1, 1024]), [batch, 1]);
  const denoiser = plain ? (xt, t, c) => model.predict(xt, t, c) : model.asDenoiser();
  const shape = [batch, KERNEL_MODEL.tokens, KERNEL_MODEL.channels];
  const run = async (n) => {
    const x = await lib.sample({ denoiser, shape, schedule, sampler, steps: n, cond, guidanceScale, seed: 1 });
    await x.data();
    x.dispose();
  };
  await run(2); // warm-up: shader compilation, wasm start-up
  // tf.profile reuses its result object, so each count is read before the next profile.
  const count = async (n) => counts((await tf.profile(() => run(n))).kernels);
  const once = await count(steps);
  const twice = await count(2 * steps);
  const perStep = (a, b, key) => (b[key] - a[key]) / steps;
  const result = { all: perStep(once, twice, 'all'), compute: perStep(once, twice, 'compute'), setup: 2 * once.all - twice.all };
  if (timed) {
    const ms = async (n) => {
      const times = [];
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        await run(n);
        times.push(performance.now() - t0);
      }
      return times.sort((a, b) => a - b)[1];
    };
    result.msPerStep = ((await ms(2 * steps)) - (await ms(steps))) / steps;
    const [g1, g2] = [await countDispatches(() => run(steps)), await countDispatches(() => run(2 * steps))];
    if (g1) for (const key of ['dispatches', 'passes', 'submits']) result[key] = perStep(g1, g2, key);
  }
  cond.dispose();
  model.dispose();
  return result;
}

/** Kernels of one `predict` call (batch 1, vector condition). */
export async function forwardKernels(lib) {
  const model = new lib.DiT(KERNEL_MODEL);
  const [xt, t, c] = [tf.zeros([1, 144, 64]), tf.tensor1d([5], 'int32'), tf.zeros([1, 1024])];
  const { kernels } = await tf.profile(() => model.predict(xt, t, c).dispose());
  const result = counts(kernels);
  tf.dispose([xt, t, c]);
  model.dispose();
  return result;
}

/** The per-step table on the active backend (guided and unguided, predict per step vs the prepared plan). */
export async function samplingTable(lib) {
  const backend = tf.getBackend();
  const gpu = backend === 'webgpu';
  const rows = [
    `| ${backend}: DiT 4 x 64, 8 heads, 144 x 64, per sampling step | kernels (tf.profile) | compute kernels | ms / step |${gpu ? ' dispatches | passes | submits |' : ''}`,
    `| --- | --- | --- | --- |${gpu ? ' --- | --- | --- |' : ''}`,
  ];
  for (const [sampler, guidanceScale, batch] of [
    ['ddpm', 1, 1],
    ['dpmpp-2m', 1, 1],
    ['dpmpp-2m', 2, 1],
    ['dpmpp-2m', 2, 4],
  ]) {
    for (const plain of [true, false]) {
      const c = await kernelCounts(lib, { sampler, guidanceScale, plain, batch, timed: true });
      const name = `${sampler}, guidance ${guidanceScale}, batch ${batch}, ${plain ? 'predict per step' : 'prepared plan'}`;
      rows.push(`| ${name} | ${c.all} | ${c.compute} | ${c.msPerStep.toFixed(2)} |${gpu ? ` ${c.dispatches} | ${c.passes} | ${c.submits} |` : ''}`);
    }
  }
  return rows.join('\n');
}

// run as a script (not when bundled into tools/gpu-bench's device bundle, whose entry calls samplingTable)
if (process.argv[1]?.endsWith(path.join('bench', 'kernels.mjs')) && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const backend = process.argv[2] ?? 'wasm';
  await useBenchBackend(backend);
  const here = path.dirname(fileURLToPath(import.meta.url));
  const lib = await import(pathToFileURL(path.resolve(process.argv[3] ?? path.join(here, '../dist/index.js'))).href);
  console.log(`${backend}: DiT forward (predict):`, await forwardKernels(lib));
  console.log(await samplingTable(lib));
}
