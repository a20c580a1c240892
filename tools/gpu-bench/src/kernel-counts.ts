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
import { samplingTable } from '../../../packages/latent-diffusion/bench/kernels.mjs';

const backend = process.argv[2] ?? 'webgpu';
await useBenchBackend(backend);
console.log(await kernelTable(ws));
console.log();
console.log(await samplingTable(ld));
process.exit(0);
