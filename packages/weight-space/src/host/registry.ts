import * as tf from '@tensorflow/tfjs-core';
import type { KernelBackend, NamedAttrMap, NamedTensorMap, Tensor, TensorInfo } from '@tensorflow/tfjs-core';
import { WeightSpaceError } from '../errors';
import { singularValueGradient, singularValueWeight } from '../lowrank/singular-values';
import { gramWorkerReady } from './gram-worker';
import { ALIAS_KERNEL, aliasKernel, aliasesForGradient } from './gradient-aliases';
import { factoredPairKernel, leftMulKernel, lowRankInnerKernel, lowRankSvdKernel, rightMulKernel } from './factored-kernels';
import { type KernelHeap, openHeap, runOnHeap } from './heap';
import { lowRankSumSvdKernel } from './sum-svd-kernel';
import { unstackKernel } from './unstack-kernel';

/**
 * tfjs kernels that run the factored losses' heavy work with WebAssembly SIMD on the CPU-resident backends (cpu and
 * wasm), registered on first use. Other backends (webgpu, webgl, tensorflow) keep the tfjs-ops formulation; the
 * loss functions choose with {@link simdKernelsActive}.
 */
export const KERNELS = {
  svd: 'LoragenLowRankSvd',
  sumSvd: 'LoragenLowRankSumSvd',
  inner: 'LoragenLowRankInner',
  pair: 'LoragenFactoredPair',
  leftMul: ['LoragenLeftMul1', 'LoragenLeftMul2'],
  rightMul: ['LoragenRightMul1', 'LoragenRightMul2'],
  unstack: 'LoragenUnstack',
} as const;

const HOST_BACKENDS = ['cpu', 'wasm'];

type Work = (heap: KernelHeap, inputs: TensorInfo[], attrs: NamedAttrMap) => void;
/** Input names of the products of `terms` terms: m0, x0, m1, x1, ... (or x0, m0, ... for right products). */
const termNames = (first: string, second: string, terms: number) => Array.from({ length: terms }, (_, t) => [`${first}${t}`, `${second}${t}`]).flat();

/** A kernel's input names: fixed, or (for any number of terms) read off the inputs it was given. */
type InputNames = string[] | ((given: Record<string, unknown>) => string[]);

const work: Record<string, { inputs: InputNames; run: Work }> = {
  [KERNELS.svd]: { inputs: ['a', 'b'], run: (h, [a, b]) => lowRankSvdKernel(h, a, b) },
  [KERNELS.sumSvd]: { inputs: (given) => termNames('a', 'b', Object.keys(given).length / 2), run: lowRankSumSvdKernel },
  [KERNELS.inner]: { inputs: ['a1', 'b1', 'a2', 'b2'], run: (h, [a1, b1, a2, b2]) => lowRankInnerKernel(h, a1, b1, a2, b2) },
  [KERNELS.pair]: { inputs: ['a', 'b', 'ta', 'tb'], run: (h, inputs, attrs) => factoredPairKernel(h, inputs, !!attrs.targetSpectrum) },
  ...Object.fromEntries(KERNELS.leftMul.map((name, i) => [name, { inputs: termNames('m', 'x', i + 1), run: leftMulKernel }])),
  ...Object.fromEntries(KERNELS.rightMul.map((name, i) => [name, { inputs: termNames('x', 'm', i + 1), run: rightMulKernel }])),
  [KERNELS.unstack]: { inputs: ['x'], run: unstackKernel },
};

let registered = false;
let enabled = true;

function register(): void {
  for (const [kernelName, { inputs, run }] of Object.entries(work)) {
    for (const backendName of HOST_BACKENDS) {
      if (tf.getKernel(kernelName, backendName)) continue;
      tf.registerKernel({
        kernelName,
        backendName,
        kernelFunc: ({ inputs: given, backend, attrs }) => {
          const names = typeof inputs === 'function' ? inputs(given) : inputs;
          const outs = runOnHeap(backend as KernelBackend, backendName, (heap) =>
            run(
              heap,
              names.map((name) => given[name] as TensorInfo),
              attrs ?? {},
            ),
          );
          return outs.length === 1 ? outs[0] : outs;
        },
      });
    }
  }
  for (const backendName of HOST_BACKENDS) {
    if (!tf.getKernel(ALIAS_KERNEL, backendName)) tf.registerKernel({ kernelName: ALIAS_KERNEL, backendName, kernelFunc: aliasKernel as never });
  }
  registerGradients();
  registered = true;
}

/**
 * Whether the SIMD kernels serve the current backend: it is cpu or wasm, WebAssembly SIMD is available, and they
 * were not switched off with {@link setSimdKernels}.
 */
export function simdKernelsActive(): boolean {
  if (!enabled) return false;
  const name = tf.getBackend();
  if (!HOST_BACKENDS.includes(name) || !openHeap(tf.backend(), name)) return false;
  if (!registered) register();
  return true;
}

/**
 * Whether the SIMD kernels hand work to a second thread now: they serve the current backend and the Gram worker is
 * up. The first call starts the worker (in Node), so this turns true a few tens of milliseconds later.
 */
export function simdThreadsActive(): boolean {
  return simdKernelsActive() && gramWorkerReady();
}

/**
 * Switches the SIMD kernels off (false) or back on (true, the default). Off, cpu and wasm use the same tfjs-ops
 * formulation as the GPU backends: for comparing the two, or to rule the kernels out when debugging.
 */
export function setSimdKernels(on: boolean): void {
  enabled = on;
}

/** The inputs whose data each loss kernel's gradient reads: handed over as aliases, not saved (gradient-aliases.ts). */
const GRADIENT_INPUTS: Record<string, string[]> = {
  [KERNELS.svd]: ['a', 'b'],
  [KERNELS.inner]: ['a1', 'b1', 'a2', 'b2'],
  [KERNELS.pair]: ['a', 'b', 'ta', 'tb'],
};

/** The aliases runHostKernel put in a kernel's attrs for its gradient, in GRADIENT_INPUTS order. */
const savedInputs = (attrs: NamedAttrMap) => attrs.saved as unknown as Tensor[];

/** Runs a registered host kernel on tensors (outputs in declaration order). */
export function runHostKernel(name: string, inputs: Record<string, Tensor>, attrs: NamedAttrMap = {}): Tensor[] {
  const saved = GRADIENT_INPUTS[name] ? aliasesForGradient(GRADIENT_INPUTS[name].map((input) => inputs[input])) : null;
  const allAttrs = saved ? { ...attrs, saved: saved as unknown as NamedAttrMap[string] } : attrs;
  const out = tf.engine().runKernel(name, inputs as unknown as NamedTensorMap, allAttrs);
  return Array.isArray(out) ? (out as Tensor[]) : [out as Tensor];
}

/** tf.unstack along the first axis: on cpu and wasm by copying each block once in the heap (see unstack-kernel.ts). */
export function unstackFirst(x: Tensor): Tensor[] {
  return simdKernelsActive() ? runHostKernel(KERNELS.unstack, { x }) : tf.unstack(x);
}

/** A product M X (left) or X M (right) of one term of a sum, as [first operand, second operand]. */
export type Term = [Tensor, Tensor];

const termInputs = (terms: Term[], first: string, second: string) =>
  Object.fromEntries(
    terms.flatMap(([u, v], t) => [
      [`${first}${t}`, u],
      [`${second}${t}`, v],
    ]),
  );

/** x as [N, rows, cols] (outside a recorded gradient a reshape shares the data). */
const asBatch = (x: Tensor) => (x.rank === 3 ? x : tf.reshape(x, [-1, ...x.shape.slice(-2)]));
const flatTerms = (terms: Term[]) => terms.map(([u, v]) => [asBatch(u), asBatch(v)] as Term);
const lastTwo = (x: Tensor) => x.shape.slice(-2) as number[];

/** What tells the two product kernels apart: operand names, the output width they need, the operand with the batch. */
const SIDES = {
  left: { kernels: KERNELS.leftMul, names: ['m', 'x'], widthMultiple: 16, batchOperand: 1 },
  right: { kernels: KERNELS.rightMul, names: ['x', 'm'], widthMultiple: 4, batchOperand: 0 },
} as const;

/** sum_t U_t V_t shaped like the batch of the side's factor operand: the SIMD kernel where it serves, else tf.matMul. */
function productSum(terms: Term[], side: keyof typeof SIDES): Tensor {
  const { kernels, names, widthMultiple, batchOperand } = SIDES[side];
  const [u0, v0] = terms[0];
  const shape = [...terms[0][batchOperand].shape.slice(0, -2), lastTwo(u0)[0], lastTwo(v0)[1]];
  const flat = flatTerms(terms);
  const product =
    shape[shape.length - 1] % widthMultiple === 0 && simdKernelsActive()
      ? runHostKernel(kernels[terms.length - 1], termInputs(flat, names[0], names[1]))[0]
      : tf.addN(flat.map(([u, v]) => tf.matMul(u, v)));
  return tf.reshape(product, shape);
}

/** sum_t M_t [N, p, q_t] X_t [..., q_t, L] for one or two terms, shaped [..., p, L] (the kernel needs L a multiple of 16). */
export const leftMul = (terms: Term[]): Tensor => productSum(terms, 'left');

/** sum_t X_t [..., L, q_t] M_t [N, q_t, p] for one or two terms, shaped [..., L, p] (the kernel needs p a multiple of 4). */
export const rightMul = (terms: Term[]): Tensor => productSum(terms, 'right');

const transposed = (x: Tensor) => tf.transpose(x, [0, 2, 1]);

function registerGradients(): void {
  // Only differentiating a gradient of the losses reaches an alias, and their gradients are first order.
  tf.registerGradient({
    kernelName: ALIAS_KERNEL,
    gradFunc: () => {
      throw new WeightSpaceError(
        'second-order derivatives of the factored losses are not supported: their gradients are first order (custom ' +
          'gradients whose saved values are treated as constants). Differentiate the loss once, or use finite differences of the gradient.',
      );
    },
  });
  tf.registerGradient({
    kernelName: KERNELS.svd,
    outputsToSave: [true, true, true],
    gradFunc: (dys, [sigma, left, right], attrs) => {
      const [a, b] = savedInputs(attrs);
      return singularValueGradient((dys as Tensor[])[0], { a, b, sigma, left, right });
    },
  });
  tf.registerGradient({
    kernelName: KERNELS.inner,
    outputsToSave: [false, true, true],
    gradFunc: (dys, [crossA, crossB], attrs) => {
      const [a1, b1, a2, b2] = savedInputs(attrs);
      // inner = sum X_A * X_B with X_A = A1 A2^T, X_B = B1^T B2
      const g = tf.reshape((dys as Tensor[])[0], [-1, 1, 1]);
      return {
        a1: () => leftMul([[tf.mul(crossB, g), a2]]),
        a2: () => leftMul([[tf.mul(transposed(crossB), g), a1]]),
        b1: () => rightMul([[b2, tf.mul(transposed(crossA), g)]]),
        b2: () => rightMul([[b1, tf.mul(crossA, g)]]),
      };
    },
  });
  tf.registerGradient({
    kernelName: KERNELS.pair,
    // sigma, left, right, inner, X_A, X_B (then, with the target's spectrum, its sigma: not needed here)
    outputsToSave: [true, true, true, false, true, true, false],
    gradFunc: (dys, saved, attrs) => {
      const [a, b, ta, tb] = savedInputs(attrs);
      const [sigma, left, right, crossA, crossB] = saved;
      const dy = dys as Tensor[];
      const g = tf.reshape(dy[3], [-1, 1, 1]);
      // The spectral terms are singularValueGradient's (lowrank/singular-values.ts), fused with the inner product's
      // into two-term products. Only a differentiated target reaches its spectral terms: its frames are recomputed
      // here (each thunk runs in its own tidy).
      const targetFrames = () => {
        const [ts, tl, tr] = runHostKernel(KERNELS.svd, { a: ta, b: tb });
        return { left: singularValueWeight(dy[6], ts, tl), right: singularValueWeight(dy[6], ts, tr) };
      };
      return {
        a: () =>
          leftMul([
            [singularValueWeight(dy[0], sigma, left), a],
            [tf.mul(crossB, g), ta],
          ]),
        b: () =>
          rightMul([
            [b, singularValueWeight(dy[0], sigma, right)],
            [tb, tf.mul(transposed(crossA), g)],
          ]),
        ta: () => leftMul([[tf.mul(transposed(crossB), g), a], ...(attrs.targetSpectrum ? [[targetFrames().left, ta] as Term] : [])]),
        tb: () => rightMul([[b, tf.mul(crossA, g)], ...(attrs.targetSpectrum ? [[tb, targetFrames().right] as Term] : [])]),
      };
    },
  });
  // The products are linear: C = sum M_t X_t gives dM_t = dC X_t^T, dX_t = M_t^T dC (and likewise for X M).
  const dy = (d: Tensor | Tensor[]) => d as Tensor;
  registerProductGradients(
    KERNELS.leftMul,
    ['m', 'x'],
    [(d, [, x]) => tf.matMul(dy(d), x, false, true), (d, [m]) => leftMul([[transposed(m), dy(d)]])],
  );
  registerProductGradients(
    KERNELS.rightMul,
    ['x', 'm'],
    [(d, [, m]) => rightMul([[dy(d), transposed(m)]]), (d, [x]) => tf.matMul(x, dy(d), true, false)],
  );
}

type OperandGradient = (dy: Tensor | Tensor[], term: Tensor[]) => Tensor;

/** Gradients of the one- and two-term product kernels: each operand's from its own term (`grads` per operand). */
function registerProductGradients(kernelNames: readonly string[], operands: [string, string], grads: [OperandGradient, OperandGradient]): void {
  kernelNames.forEach((kernelName, i) => {
    const names = termNames(operands[0], operands[1], i + 1);
    tf.registerGradient({
      kernelName,
      inputsToSave: names,
      gradFunc: (d, saved) => Object.fromEntries(names.map((name, k) => [name, () => grads[k % 2](d, saved.slice(k - (k % 2), k - (k % 2) + 2))])),
    });
  });
}
