// Bit-for-bit: every SIMD kernel, and the host kernels built on them (on cpu and wasm), against outputs recorded
// from the kernels as they were before the AssemblyScript rewrite (test/fixtures/kernel-outputs.json). Record anew
// only on purpose: `RECORD_KERNEL_FIXTURE=1 npx jest -c packages/weight-space/jest.config.cjs kernel-fixture`.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describeEachBackend } from '@loragen/test-utils';
import { KERNELS, runHostKernel, simdKernelsActive } from '../src/host/registry';
import { simdKernelsFor } from '../src/simd/simd-instance';
import { KERNEL_CASES, type KernelExports } from './helpers/kernel-cases';
import { rng } from './helpers/random';

const FIXTURE = path.join(__dirname, 'fixtures', 'kernel-outputs.json');
const RECORD = process.env.RECORD_KERNEL_FIXTURE === '1';
type Fixture = { kernels: Record<string, string>; host: Record<string, Record<string, string[]>> };
const recorded: Fixture = RECORD ? { kernels: {}, host: {} } : JSON.parse(readFileSync(FIXTURE, 'utf8'));

afterAll(() => {
  if (RECORD) writeFileSync(FIXTURE, `${JSON.stringify(recorded, null, 1)}\n`);
});

describe('SIMD kernels, bit for bit against the recorded fixture', () => {
  it.each(KERNEL_CASES.map((c) => [c.name, c] as const))('%s', (name, kernelCase) => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const kernels = simdKernelsFor(memory) as unknown as KernelExports;
    const out = kernelCase.run(kernels, memory);
    if (RECORD) recorded.kernels[name] = out;
    else expect(out).toBe(recorded.kernels[name]);
  });
});

/** Seeded float32 values with a spread of magnitudes. */
function values(seed: number, shape: number[]): tf.Tensor {
  const rand = rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: n }, () => (rand() * 2 - 1) * 2 ** Math.floor(rand() * 6 - 3)),
    shape,
    'float32',
  );
}
const bits = async (t: tf.Tensor) => Buffer.from((await t.data()).buffer).toString('hex');

/** Host kernel calls: [name, inputs, attrs] on seeded factors of odd and even sizes. */
const HOST_CASES: [string, () => [string, Record<string, tf.Tensor>, Record<string, unknown>]][] = [
  ['svd 3 x r5, 9 -> 7', () => [KERNELS.svd, { a: values(1, [3, 5, 9]), b: values(2, [3, 7, 5]) }, {}]],
  ['svd 2 x r8, 64 -> 48', () => [KERNELS.svd, { a: values(3, [2, 8, 64]), b: values(4, [2, 48, 8]) }, {}]],
  [
    'inner r3 / r6, 11 -> 13',
    () => [KERNELS.inner, { a1: values(5, [2, 3, 11]), b1: values(6, [2, 13, 3]), a2: values(7, [2, 6, 11]), b2: values(8, [2, 13, 6]) }, {}],
  ],
  [
    'pair r4 / r6, 24 -> 10, target spectrum',
    () => [
      KERNELS.pair,
      { a: values(9, [3, 4, 24]), b: values(10, [3, 10, 4]), ta: values(11, [3, 6, 24]), tb: values(12, [3, 10, 6]) },
      { targetSpectrum: true },
    ],
  ],
  [
    'sum svd 3 terms r 2, 3, 4, 17 -> 9',
    () => [
      KERNELS.sumSvd,
      {
        a0: values(13, [2, 2, 17]),
        b0: values(14, [2, 9, 2]),
        a1: values(15, [2, 3, 17]),
        b1: values(16, [2, 9, 3]),
        a2: values(17, [2, 4, 17]),
        b2: values(18, [2, 9, 4]),
      },
      { coefficients: [1, -0.5, 2], frames: 6 },
    ],
  ],
  [
    'left mul 2 terms',
    () => [KERNELS.leftMul[1], { m0: values(19, [2, 5, 3]), x0: values(20, [2, 3, 32]), m1: values(21, [2, 5, 4]), x1: values(22, [2, 4, 32]) }, {}],
  ],
  ['right mul 1 term, p 12', () => [KERNELS.rightMul[0], { x0: values(23, [3, 7, 5]), m0: values(24, [3, 5, 12]) }, {}]],
  [
    'right mul 2 terms, p 32',
    () => [KERNELS.rightMul[1], { x0: values(25, [1, 9, 2]), m0: values(26, [1, 2, 32]), x1: values(27, [1, 9, 3]), m1: values(28, [1, 3, 32]) }, {}],
  ],
];

describeEachBackend('host kernels, bit for bit against the recorded fixture', (backend) => {
  if (backend === 'webgpu') {
    // the host kernels are the SIMD path of cpu and wasm; webgpu runs its WGSL kernels, which the other suites exercise
    it.skip('are not used on webgpu', () => undefined);
    return;
  }
  it.each(HOST_CASES)('%s', async (name, make) => {
    expect(simdKernelsActive()).toBe(true);
    const [kernel, inputs, attrs] = make();
    const outputs = runHostKernel(kernel, inputs, attrs as never);
    const hex = await Promise.all(outputs.map(bits));
    tf.dispose([...outputs, ...Object.values(inputs)]);
    if (RECORD) recorded.host[name] = { ...recorded.host[name], [backend]: hex };
    else expect(hex).toEqual(recorded.host[name][backend]);
  });
});
