// Packs `bench:paper` for a machine with cores but no Node.js or node_modules (the GPU machine): one ESM bundle
// with tfjs, the wasm backend and the LoRAGen packages, the backend's .wasm files, both libraries' assets and a
// compressed copy of this machine's node. Usage: node scripts/device-bundle.mjs [outDir] (default
// <repo>/.device/bench, git-ignored), then on that machine:
//   mkdir -p /tmp/n && xz -dc .device/bench/node.xz > /tmp/n/node && chmod +x /tmp/n/node
//   TFJS_WASM_DIR=.device/bench/wasm /tmp/n/node .device/bench/dist/bench-paper.mjs --jobs 16 --out $OUT
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const demo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const root = path.resolve(demo, '..', '..');
const out = path.resolve(process.argv[2] ?? path.join(root, '.device', 'bench'));
rmSync(out, { recursive: true, force: true });
mkdirSync(path.join(out, 'dist'), { recursive: true });

// The wasm backend looks for its .wasm files beside its own module; bundled, it is told where they are first.
const entry = path.join(out, 'entry.mjs');
writeFileSync(
  entry,
  [
    "import * as tf from '@tensorflow/tfjs';",
    "import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';",
    // the threaded build starts workers from its own script file, which a bundle does not have
    "tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);",
    "setWasmPaths(`${process.env.TFJS_WASM_DIR ?? new URL('../wasm', import.meta.url).pathname}/`);",
    `await import(${JSON.stringify(path.join(demo, 'src', 'bin', 'bench-paper.ts'))});`,
  ].join('\n'),
);
await build({
  entryPoints: [entry],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile: path.join(out, 'dist', 'bench-paper.mjs'),
  nodePaths: [path.join(root, 'node_modules')],
  external: ['webgpu', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', '@huggingface/transformers'],
  // CommonJS names some bundled modules (the wasm backend's loader among them) expect
  banner: {
    js: [
      "import { createRequire as __cr } from 'node:module';",
      "import { fileURLToPath as __fu } from 'node:url';",
      'const require = __cr(import.meta.url);',
      'const __filename = __fu(import.meta.url);',
      "const __dirname = __fu(new URL('.', import.meta.url));",
    ].join(' '),
  },
  logLevel: 'warning',
});
rmSync(entry);
const wasmDir = path.join(root, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist');
mkdirSync(path.join(out, 'wasm'));
for (const f of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'])
  cpSync(path.join(wasmDir, f), path.join(out, 'wasm', f));
// paths.ts finds the assets beside dist/, as in the package
for (const dir of ['assets', 'assets-skills']) cpSync(path.join(demo, dir), path.join(out, dir), { recursive: true });
writeFileSync(path.join(out, 'node.xz'), execFileSync('xz', ['-c', process.execPath], { maxBuffer: 1 << 28 }));
console.log(`packed bench:paper into ${path.relative(root, out)}`);
