// Times the factored losses on webgpu for the FLAN-T5-large layout (6 module types x 24 layers, 1024 x 1024,
// r 16), forward + backward, the module types called one by one and grouped into one call. Meant for a GPU
// machine without node_modules: from the repository root bundle it with
//   npx esbuild packages/weight-space/bench/webgpu.mjs --bundle --platform=node --format=esm --target=node20 \
//     --external:webgpu --outfile=.device/ws/webgpu.mjs \
//     "--banner:js=import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);"
// and run it there as tools/gpu-bench/README.md runs its bundle: DAWN_NODE=<dawn.node> node .device/ws/webgpu.mjs
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { adapterLoss, angularLoss, groupFactors, prepareTarget, spectralLoss } from '../src/index.ts';

const dawn = createRequire(import.meta.url)(process.env.DAWN_NODE);
Object.assign(globalThis, dawn.globals);
Object.defineProperty(globalThis, 'navigator', { value: { gpu: dawn.create([]) }, configurable: true });
// The backend registers itself only if navigator.gpu exists when it loads.
await import('@tensorflow/tfjs-backend-webgpu');
await tf.setBackend('webgpu');
await tf.ready();

const [types, layers, d, r] = [6, 24, 1024, 16];
const factors = (seed) =>
  Array.from({ length: types }, (_, i) => ({
    A: tf.randomNormal([layers, r, d], 0, 0.02, 'float32', seed + 2 * i),
    B: tf.randomNormal([layers, d, r], 0, 0.02, 'float32', seed + 2 * i + 1),
  }));
const target = factors(100);
const pred = factors(200).map((f) => ({ A: tf.variable(f.A), B: tf.variable(f.B) }));
const groupedTarget = groupFactors(target);
const prepared = prepareTarget(groupedTarget);

async function median(loss, reps = 5) {
  const once = async () => {
    const t0 = performance.now();
    const { value, grads } = tf.variableGrads(loss);
    await value.data();
    tf.dispose([value, ...Object.values(grads)]);
    return performance.now() - t0;
  };
  await once();
  const times = [];
  for (let i = 0; i < reps; i++) times.push(await once());
  return times.sort((a, b) => a - b)[Math.floor(reps / 2)];
}

const rows = {
  'angularLoss + spectralLoss, one call per module type, raw target': () =>
    tf.addN(pred.map((p, i) => tf.add(angularLoss(p, target[i]), spectralLoss(p, target[i])))),
  'adapterLoss, module types grouped (groupFactors), raw target': () => adapterLoss(groupFactors(pred), groupedTarget),
  'adapterLoss, module types grouped, prepared target': () => adapterLoss(groupFactors(pred), prepared),
};
for (const [name, loss] of Object.entries(rows)) console.log(`| ${name} | ${(await median(loss)).toFixed(0)} ms |`);
