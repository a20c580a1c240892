// Kernels a sampler step dispatches (tf.profile), for the model of the issue: DiT 4 blocks, width 64, 8 heads,
// condition 1024-d, one latent set of 144 x 64. `node bench/kernels.mjs [backend] [built index.js]` prints them.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

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
 * is n steps' worth, the rest is set-up.
 */
export async function kernelCounts(lib, { sampler, guidanceScale = 1, plain = false, steps = 4 }) {
  const model = new lib.DiT(KERNEL_MODEL);
  const schedule = lib.createSchedule({ kind: 'linear', timesteps: 1000 });
  const cond = tf.tensor2d(new lib.SeededRng(1).normals(1024), [1, 1024]);
  const denoiser = plain ? (xt, t, c) => model.predict(xt, t, c) : model.asDenoiser();
  const shape = [1, KERNEL_MODEL.tokens, KERNEL_MODEL.channels];
  // tf.profile reuses its result object, so each count is read before the next profile.
  const count = async (n) =>
    counts((await tf.profile(async () => {
      (await lib.sample({ denoiser, shape, schedule, sampler, steps: n, cond, guidanceScale, seed: 1 })).dispose();
    })).kernels);
  const once = await count(steps);
  const twice = await count(2 * steps);
  cond.dispose();
  model.dispose();
  const perStep = (key) => (twice[key] - once[key]) / steps;
  return { all: perStep('all'), compute: perStep('compute'), setup: 2 * once.all - twice.all };
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

if (import.meta.url === `file://${process.argv[1]}`) {
  await tf.setBackend(process.argv[2] ?? 'wasm');
  const lib = await import(process.argv[3] ?? '../dist/index.js');
  console.log('DiT forward:', await forwardKernels(lib));
  for (const [sampler, guidanceScale] of [['ddpm', 1], ['dpmpp-2m', 1], ['dpmpp-2m', 2]]) {
    for (const plain of [true, false]) {
      console.log(sampler, `guidance ${guidanceScale}`, plain ? 'plain' : 'prepared',
        await kernelCounts(lib, { sampler, guidanceScale, plain }));
    }
  }
}
