// Bundles src/bench.ts (tfjs, the webgpu backend and the LoRAGen packages from source)
// into one file that runs on a machine with Node but no node_modules.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const outfile = process.argv[2] ?? path.join(root, '.device', 'gpu', 'bench.mjs');

// bench.mjs (the workloads) and, beside it, kernel-counts.mjs (the packages' bench:kernels tables)
for (const [entry, out] of [
  ['bench.ts', outfile],
  ['kernel-counts.ts', path.join(path.dirname(outfile), 'kernel-counts.mjs')],
])
  await build({
    entryPoints: [path.join(here, 'src', entry)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: out,
    // The wasm backend finds its .wasm files next to its own module: keep it a package.
    external: ['@tensorflow/tfjs-backend-wasm', 'webgpu', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', '@huggingface/transformers'],
    alias: Object.fromEntries(
      [
        ['lora-io', 'lora-io'],
        ['weight-space', 'weight-space'],
        ['moe-decoder', 'moe-decoder'],
        ['latent-diffusion', 'latent-diffusion'],
        ['core', 'loragen'],
      ].map(([name, dir]) => [`@loragen/${name}`, path.join(root, 'packages', dir, 'src', 'index.ts')]),
    ),
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    logLevel: 'warning',
  });
console.log(`bundled ${path.relative(root, outfile)} and kernel-counts.mjs beside it`);
