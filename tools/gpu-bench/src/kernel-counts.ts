// The packages' `bench:kernels` tables on one backend, for the GPU machine's bundle (no node_modules there):
//   DAWN_NODE=<dawn.node> node kernel-counts.mjs webgpu
// prints weight-space's loss table (kernels and ms per loss call, tfjs ops vs WGSL kernels) and latent-diffusion's
// sampling table (kernels and ms per step, predict per step vs the prepared plan with the fused kernels).
import * as ld from '@loragen/latent-diffusion';
import * as ws from '@loragen/weight-space';
import { useBenchBackend } from '../../scripts/bench-backend.mjs';
// @ts-expect-error plain JavaScript bench modules without types
import { kernelTable } from '../../../packages/weight-space/bench/kernels.mjs';
// @ts-expect-error plain JavaScript bench modules without types
import { kernelCounts, samplingTable } from '../../../packages/latent-diffusion/bench/kernels.mjs';
import * as tf from '@tensorflow/tfjs';

const backend = process.argv[2] ?? 'webgpu';
await useBenchBackend(backend);
console.log(await kernelTable(ws));
console.log();
console.log(await samplingTable(ld));
if (backend === 'webgpu') {
  // What command batching buys: tfjs-webgpu submits its command encoder every WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE
  // dispatches (default 15) and at every read; a larger batch means fewer queue submits per step.
  console.log('\n| WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE | guided prepared step: ms | dispatches | passes | submits |\n| --- | --- | --- | --- | --- |');
  for (const size of [15, 64, 1000]) {
    tf.env().set('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE', size);
    const c = await kernelCounts(ld, { sampler: 'dpmpp-2m', guidanceScale: 2, plain: false, timed: true, steps: 8 });
    console.log(`| ${size} | ${c.msPerStep.toFixed(3)} | ${c.dispatches} | ${c.passes} | ${c.submits} |`);
  }
  tf.env().set('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE', 15);
}
process.exit(0);
