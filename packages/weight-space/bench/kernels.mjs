// Kernel counts of one module type's loss (forward + backward), with tf.profile, for both implementations: the
// tfjs-ops one (what webgpu and the other GPU backends run: launch overhead, not arithmetic, is what the losses
// cost there, so this count is what to keep small) and the SIMD kernels of cpu and wasm. Neither depends on the
// matrix sizes (small ones are used). `node bench/kernels.mjs` prints it (cpu); run.mjs includes it.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { adapterLoss, angularLoss, prepareTarget, setSimdKernels, simdKernelsActive, spectralLoss } from '../dist/index.js';

async function count(loss) {
  const info = await tf.profile(() => {
    const { value, grads } = tf.variableGrads(() => loss());
    tf.dispose(grads);
    return value;
  });
  const byName = {};
  for (const k of info.kernels) byName[k.name] = (byName[k.name] ?? 0) + 1;
  const top = Object.entries(byName).sort((a, b) => b[1] - a[1]).slice(0, 6).map(([n, c]) => `${n} ${c}`).join(', ');
  return { total: info.kernels.length, top };
}

/** A Markdown table of kernel counts for the three ways of calling the losses (24 positions, r 16). */
export async function kernelTable() {
  const [positions, dOut, dIn, r] = [24, 64, 48, 16];
  const target = { A: tf.randomNormal([positions, r, dIn], 0, 1, 'float32', 1), B: tf.randomNormal([positions, dOut, r], 0, 1, 'float32', 2) };
  const pred = { A: tf.variable(tf.randomNormal([positions, r, dIn], 0, 1, 'float32', 3)), B: tf.variable(tf.randomNormal([positions, dOut, r], 0, 1, 'float32', 4)) };
  const prepared = prepareTarget(target);
  const cases = [
    ['`angularLoss + spectralLoss`, raw target', () => tf.add(angularLoss(pred, target), spectralLoss(pred, target))],
    ['`adapterLoss`, raw target', () => adapterLoss(pred, target)],
    ['`adapterLoss`, prepared target', () => adapterLoss(pred, prepared)],
  ];
  const rows = [
    '| one module type, 24 positions, r 16, forward + backward | tfjs ops: kernels | most frequent | SIMD kernels: kernels | most frequent |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const [name, loss] of cases) {
    setSimdKernels(false);
    const ops = await count(loss);
    setSimdKernels(true);
    const simd = simdKernelsActive() ? await count(loss) : { total: 'n/a', top: `not on ${tf.getBackend()}` };
    rows.push(`| ${name} | ${ops.total} | ${ops.top} | ${simd.total} | ${simd.top} |`);
  }
  prepared.dispose();
  tf.dispose([target.A, target.B, pred.A, pred.B]);
  return rows.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url) || path.resolve(process.argv[1] ?? '') === fileURLToPath(import.meta.url)) {
  await tf.setBackend('cpu');
  console.log(await kernelTable());
}
