// npm run bench:kernels: how many kernels one module type's loss (forward + backward) dispatches, counted with
// tf.profile on the cpu backend (the count does not depend on the matrix sizes, so small ones are used).
// Launch overhead, not arithmetic, is what these losses cost on webgpu, so this count is what to keep small.
import * as tf from '@tensorflow/tfjs';
import { adapterLoss, angularLoss, prepareTarget, spectralLoss } from '../dist/index.js';

const [positions, dOut, dIn, r] = [24, 64, 48, 16];
await tf.setBackend('cpu');
const target = { A: tf.randomNormal([positions, r, dIn], 0, 1, 'float32', 1), B: tf.randomNormal([positions, dOut, r], 0, 1, 'float32', 2) };
const pred = { A: tf.variable(tf.randomNormal([positions, r, dIn], 0, 1, 'float32', 3)), B: tf.variable(tf.randomNormal([positions, dOut, r], 0, 1, 'float32', 4)) };
const prepared = prepareTarget(target);

async function count(loss) {
  const info = await tf.profile(() => {
    const { value, grads } = tf.variableGrads(() => loss());
    tf.dispose(grads);
    return value;
  });
  const byName = {};
  for (const k of info.kernels) byName[k.name] = (byName[k.name] ?? 0) + 1;
  const top = Object.entries(byName).sort((a, b) => b[1] - a[1]).slice(0, 8).map(([n, c]) => `${n} ${c}`).join(', ');
  return { total: info.kernels.length, top };
}

const cases = [
  ['angularLoss + spectralLoss, raw target', () => tf.add(angularLoss(pred, target), spectralLoss(pred, target))],
  ['adapterLoss, raw target', () => adapterLoss(pred, target)],
  ['adapterLoss, prepared target', () => adapterLoss(pred, prepared)],
];
const rows = ['| loss (forward + backward, 24 positions, r 16) | kernels | most frequent |', '| --- | --- | --- |'];
for (const [name, loss] of cases) {
  const { total, top } = await count(loss);
  rows.push(`| ${name} | ${total} | ${top} |`);
}
console.log(rows.join('\n'));
