import * as tf from '@tensorflow/tfjs';
import {
  adapterFromFactors,
  checkArithmeticInputs,
  getAdapterExtraTensors,
  setAdapterExtraTensors,
  type FactoredModule,
  type LoraAdapter,
} from '@loragen/lora-io';
import { type ArithmeticResult, type FactoredAdapter, type RankBudget, compress, merge } from '@loragen/weight-space';

/** Options of {@link mergeAdapters} and {@link compressAdapter}. */
export interface AdapterArithmeticOptions extends RankBudget {
  /** w_i of each adapter (merge only). @default all 1 */
  weights?: number[];
  /** Names of the adapters in error messages (their folders). @default 'adapter 1', 'adapter 2', ... */
  labels?: string[];
  /** Called as modules are done. */
  onProgress?: (done: number, total: number) => void;
}

/** What adapter arithmetic kept of one module (the fields of `loragen merge --json`). */
export interface ModuleOutcome {
  name: string;
  /** Rank written. */
  rank: number;
  /** Share of sum sigma^2 of the exact update kept (1 when nothing was dropped). */
  energy: number;
  /** |exact - written|_F / |exact|_F. */
  relativeError: number;
}

/** A merged or compressed adapter (PEFT scaling 1 per module) and what each module kept. */
export interface AdapterArithmeticResult {
  adapter: LoraAdapter;
  modules: ModuleOutcome[];
}

const asTensors = (adapter: LoraAdapter): FactoredAdapter => ({
  modules: adapter.modules.map((m) => ({
    name: m.name,
    A: tf.tensor2d(m.A, [m.rank, m.dIn]),
    B: tf.tensor2d(m.B, [m.dOut, m.rank]),
    scaling: m.scaling,
  })),
});

const disposeAll = (adapters: { modules: { A: tf.Tensor; B: tf.Tensor }[] }[]) =>
  tf.dispose(adapters.flatMap((a) => a.modules.flatMap((m) => [m.A, m.B])));

/** Runs `operation` (weight-space's merge or compress) on the adapters' factors as tensors and reads the result back. */
async function run(adapters: LoraAdapter[], operation: (inputs: FactoredAdapter[]) => Promise<ArithmeticResult>): Promise<AdapterArithmeticResult> {
  const inputs = adapters.map(asTensors);
  let result: ArithmeticResult | undefined;
  try {
    result = await operation(inputs);
    const shapes = new Map(adapters[0].modules.map((m) => [m.name, m]));
    const modules: FactoredModule[] = [];
    for (const m of result.modules) {
      const { dIn, dOut } = shapes.get(m.name)!;
      modules.push({ name: m.name, dIn, dOut, A: (await m.A.data()) as Float32Array, B: (await m.B.data()) as Float32Array });
    }
    return {
      adapter: adapterFromFactors(adapters[0].config, modules),
      modules: result.modules.map(({ name, rank, energy, relativeError }) => ({ name, rank, energy, relativeError })),
    };
  } finally {
    disposeAll(result ? [...inputs, result] : inputs);
  }
}

/**
 * The weighted sum of PEFT adapters, sum_i w_i scaling_i B_i A_i per module, computed from the factors on the
 * current tfjs backend (no dense update is formed): exact with stacked factors when no budget is given (rank
 * sum r_i), else the best approximation within `rank` or `energy` (Eckart-Young). Inputs may differ in ranks,
 * alphas, rsLoRA and fan_in_fan_out; they must adapt the same modules with the same shapes (else an
 * `AdapterLayoutError` names the module) and not be DoRA (`AdapterFormatError` with a hint). The result has scaling
 * 1 per module (rank_pattern / alpha_pattern where ranks differ) and the first adapter's other config fields.
 */
export async function mergeAdapters(adapters: LoraAdapter[], options: AdapterArithmeticOptions = {}): Promise<AdapterArithmeticResult> {
  checkArithmeticInputs(adapters, options.labels);
  const { weights, rank, energy, onProgress } = options;
  return run(adapters, (inputs) => merge(inputs, { weights, rank, energy, onProgress }));
}

/**
 * One PEFT adapter re-ranked per module to `rank`, or to the smallest rank keeping an `energy` share of sum
 * sigma^2, from its factors: each module is the best approximation of its update within the budget. Tensors that
 * are not LoRA factors (modules_to_save heads) are kept.
 */
export async function compressAdapter(adapter: LoraAdapter, options: AdapterArithmeticOptions): Promise<AdapterArithmeticResult> {
  checkArithmeticInputs([adapter], options.labels);
  const { rank, energy, onProgress } = options;
  const out = await run([adapter], ([input]) => compress(input, { rank, energy, onProgress }));
  setAdapterExtraTensors(out.adapter, getAdapterExtraTensors(adapter));
  return out;
}
