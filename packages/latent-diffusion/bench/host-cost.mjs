// Where a prepared sampling step's time goes on the host (issue 20), on any webgpu adapter (lavapipe included):
//   npm run bench:host-cost -- [steps] [built index.js]
// Times, per step, the JS that `sample` runs before it returns (everything the host does: tfjs's engine, the
// backend's uniform buffers, bind groups, encoding and submits), split by wrapping the backend's methods, then the
// wait for the GPU and the one read at the end. GPU work runs asynchronously, so the first figure is host cost alone.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { useBenchBackend } from '../../../tools/scripts/bench-backend.mjs';
import { KERNEL_MODEL } from './kernels.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
await useBenchBackend('webgpu');
const steps = Number(process.argv[2] ?? 20);
const lib = await import(pathToFileURL(path.resolve(process.argv[3] ?? path.join(here, '../dist/index.js'))).href);
const backend = tf.backend();

/** Wraps obj[name] to add its (synchronous) time to totals[label]. */
const totals = {};
const calls = {};
function timeMethod(obj, name, label = name) {
  const original = obj[name];
  totals[label] = 0;
  calls[label] = 0;
  obj[name] = function (...args) {
    const t0 = performance.now();
    try {
      return original.apply(this, args);
    } finally {
      totals[label] += performance.now() - t0;
      calls[label]++;
    }
  };
}
// nested: runWebGPUProgram > recordAndSubmit > (makeUniforms, createBindGroup, submitQueue)
timeMethod(backend, 'runWebGPUProgram');
timeMethod(backend, 'recordAndSubmit');
timeMethod(backend, 'makeUniforms');
timeMethod(backend, 'submitQueue');
timeMethod(backend.device, 'createBindGroup');
timeMethod(backend.device, 'createCommandEncoder');
timeMethod(backend.device, 'createBuffer');
timeMethod(backend.queue, 'writeBuffer');
timeMethod(backend.queue, 'submit', 'queue.submit');

const model = new lib.DiT(KERNEL_MODEL);
const schedule = lib.createSchedule({ kind: 'linear', timesteps: 1000 });
const cond = tf.tensor2d(new lib.SeededRng(1).normals(1024), [1, 1024]);
const shape = [1, KERNEL_MODEL.tokens, KERNEL_MODEL.channels];
const run = async (n) => {
  const t0 = performance.now();
  const x = await lib.sample({ denoiser: model.asDenoiser(), shape, schedule, sampler: 'dpmpp-2m', steps: n, cond, guidanceScale: 2, seed: 1 });
  const t1 = performance.now();
  await x.data();
  const t2 = performance.now();
  x.dispose();
  return { host: t1 - t0, wait: t2 - t1 };
};
await run(4); // compile shaders
const measure = async (n) => {
  for (const k of Object.keys(totals)) [totals[k], calls[k]] = [0, 0];
  const tensorsBefore = tf.memory().numTensors;
  const made = tf.engine().state.numTensors;
  const r = await run(n);
  return { ...r, totals: { ...totals }, calls: { ...calls }, leaked: tf.memory().numTensors - tensorsBefore, made };
};
const reps = [];
for (let i = 0; i < 3; i++) reps.push([await measure(steps), await measure(2 * steps)]);
const median = (f) => reps.map(f).sort((a, b) => a - b)[1];
const perStep = (f) => median(([a, b]) => (f(b) - f(a)) / steps);
const whole = (f) => median(([a]) => f(a));
const row = (label, f) => console.log(`| ${label} | ${whole(f).toFixed(1)} | ${perStep(f).toFixed(3)} |`);
console.log(`| webgpu, guided DPM-Solver++, DiT 4 x 64, 144 x 64 | ms, run of ${steps} steps | ms / step (${2 * steps} - ${steps} steps) |`);
console.log('| --- | --- | --- |');
row('host: `sample` until it returns (all JS, no GPU wait)', (r) => r.host);
row('  runWebGPUProgram (backend, per kernel incl. below)', (r) => r.totals.runWebGPUProgram);
row('    recordAndSubmit (uniforms, bind group, encode, submit)', (r) => r.totals.recordAndSubmit);
row('      makeUniforms (uniform buffer + writeBuffer)', (r) => r.totals.makeUniforms);
row('      device.createBindGroup', (r) => r.totals.createBindGroup);
row('      submitQueue', (r) => r.totals.submitQueue);
row('  engine and library JS outside the backend', (r) => r.host - r.totals.runWebGPUProgram);
row('wait for the GPU + one read at the end', (r) => r.wait);
row('wall: sample + read', (r) => r.host + r.wait);
for (const k of ['runWebGPUProgram', 'createBindGroup', 'writeBuffer', 'createBuffer', 'queue.submit']) {
  console.log(`| calls of ${k} | ${whole((r) => r.calls[k])} | ${perStep((r) => r.calls[k]).toFixed(2)} |`);
}
cond.dispose();
model.dispose();
