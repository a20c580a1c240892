import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { adapterLoss, prepareTarget } from '/work/main/packages/weight-space/dist/index.js';
await tf.setBackend('wasm'); await tf.ready();
const [P, m, n, r] = [144, 1024, 1024, 16];
const t = { A: tf.randomNormal([P, r, n]), B: tf.randomNormal([P, m, r]) };
const pA = tf.variable(tf.randomNormal([P, r, n])), pB = tf.variable(tf.randomNormal([P, m, r]));
const prep = prepareTarget(t);
const step = () => { const { value, grads } = tf.variableGrads(() => adapterLoss({ A: pA, B: pB }, prep)); return [value, ...Object.values(grads)]; };
tf.dispose(step());
for (let i = 0; i < 3; i++) { const t0 = performance.now(); const o = step(); await o[0].data(); tf.dispose(o); console.log('step', (performance.now() - t0).toFixed(1)); }
const info = await tf.profile(() => { const o = step(); return o[0]; });
const agg = {}; let count = 0, total = 0;
for (const k of info.kernels) { const key = k.name + (k.inputShapes?.[0]?.length ? ' ' + JSON.stringify(k.inputShapes.map(s=>s&&s.join('x'))) : ''); const kk = k.name.includes('MatMul') ? key : k.name; agg[kk] = agg[kk] || [0, 0]; agg[kk][0] += k.kernelTimeMs; agg[kk][1]++; count++; total += k.kernelTimeMs; }
console.log('kernels', count, 'kernel ms', total.toFixed(1));
console.log(Object.entries(agg).sort((a, b) => b[1][0] - a[1][0]).slice(0, 14).map(([k, v]) => `${v[0].toFixed(1)}ms x${v[1]} ${k}`).join('\n'));
