// `@loragen/example-demo/browser`: the demo's base model, task family and evaluation harness for a web page (the
// browser app, examples/browser). Browser-safe: tfjs and lora-io's byte-level API only, no `node:` module, so a
// bundler takes it as it is. Files come in as bytes (fetched by the page); `scripts/browser-assets.mjs` ships them.
import * as tf from '@tensorflow/tfjs';
import { parseSafetensors, tensorToFloat32, type LoraAdapter } from '@loragen/lora-io';
import type { BaseModelConfig } from './model/config';
import { forward } from './model/forward';
import { parameterShapes, type WeightTable } from './model/parameters';
import { disposeTensors, tensorsOf } from './model/tensors';
import { adapterDeltas, mergeDeltas } from './lora/delta';
import { INPUT_LENGTH, SEQUENCE_LENGTH, UNKNOWN_TOKEN } from './tasks/vocabulary';

export type { BaseModelConfig } from './model/config';
export { forward, type LoraSidePath, type LoraSidePaths, type ModelTensors } from './model/forward';
export { parameterShapes, projectionPath, type WeightTable } from './model/parameters';
export { disposeTensors, tensorsOf } from './model/tensors';
export { accuracyOf, inputsTensor } from './model/objective';
export { adapterDeltas, mergeDeltas, type WeightDeltas } from './lora/delta';
export { baseWeightName } from './lora/adapter-naming';
export { accuracyOn } from './eval/accuracy';
export { EvaluationHarness, type HarnessOptions } from './eval/harness';
export { digitsTestExamples, listTasks, taskById, taskExamples, ZERO_SHOT_TASK_IDS, type Examples, type Task } from './tasks/family';
export { DIGITS, INPUT_LENGTH, SEQUENCE_LENGTH, UNKNOWN_TOKEN } from './tasks/vocabulary';

/**
 * The base model from the two files `saveBaseModel` writes (`config.json` text, `model.safetensors` bytes), with the
 * same checks as `loadBaseModel`: every weight there, with its shape.
 */
export function baseModelFromBytes(configJson: string, weights: Uint8Array): { weights: WeightTable; config: BaseModelConfig } {
  const config = JSON.parse(configJson) as BaseModelConfig;
  const file = parseSafetensors(weights);
  const table: WeightTable = new Map();
  for (const [name, shape] of parameterShapes(config)) {
    const tensor = file.tensors.get(name);
    if (!tensor || tensor.shape.join() !== shape.join()) {
      throw new RangeError(
        `model.safetensors: weight '${name}' is ${tensor ? `[${tensor.shape}]` : 'missing'}, expected [${shape}]; ship it again with the browser-assets script`,
      );
    }
    table.set(name, { shape, values: tensorToFloat32(tensor, { copy: true }) });
  }
  return { weights: table, config };
}

/** The model's answer to one sequence: the arg-max class and every class's probability. */
export interface SequenceAnswer {
  /** 1 for yes, 0 for no. */
  label: number;
  /** Softmax of the logits, one per class (no, yes). */
  probabilities: number[];
}

/** Parses a digit sequence typed by a user ("3 1 4 1 5 9 2 6", "31415926"): exactly SEQUENCE_LENGTH digits, or throws. */
export function parseSequence(text: string): number[] {
  const digits = text.replace(/[\s,;]+/g, '');
  if (!/^[0-9]*$/.test(digits) || digits.length !== SEQUENCE_LENGTH) {
    throw new RangeError(`type ${SEQUENCE_LENGTH} digits (0-9), e.g. "3 1 4 1 5 9 2 6"; got "${text}"`);
  }
  return [...digits].map(Number);
}

/**
 * What the base model (plus `adapter`'s update, merged as the evaluation harness merges it) answers for each of
 * `sequences`, read with the neutral prompt: only the adapter can say which task to do.
 */
export async function answerSequences(
  base: WeightTable,
  config: BaseModelConfig,
  sequences: readonly (readonly number[])[],
  adapter: LoraAdapter | null,
): Promise<SequenceAnswer[]> {
  const inputs = new Int32Array(sequences.length * INPUT_LENGTH);
  sequences.forEach((s, i) => {
    if (s.length !== SEQUENCE_LENGTH) throw new RangeError(`sequence ${i} has ${s.length} digits, the model reads ${SEQUENCE_LENGTH}`);
    inputs.set(s, i * INPUT_LENGTH);
    inputs.fill(UNKNOWN_TOKEN, i * INPUT_LENGTH + SEQUENCE_LENGTH, (i + 1) * INPUT_LENGTH);
  });
  const weights = tensorsOf(adapter ? mergeDeltas(base, adapterDeltas(adapter)) : base);
  try {
    const probabilities = tf.tidy(() => tf.softmax(forward(tf.tensor2d(inputs, [sequences.length, INPUT_LENGTH], 'int32'), weights, config), -1));
    const values = (await probabilities.data()) as Float32Array;
    probabilities.dispose();
    const classes = config.classes;
    return sequences.map((_, i) => {
      const row = Array.from(values.subarray(i * classes, (i + 1) * classes));
      return { label: row.indexOf(Math.max(...row)), probabilities: row };
    });
  } finally {
    disposeTensors(weights);
  }
}
