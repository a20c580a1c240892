import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { readPeftAdapter } from '@loragen/lora-io/node';
import { activateBackend } from '@loragen/test-utils';
import { answerSequences, baseModelFromBytes, EvaluationHarness, parseSequence } from '../src/browser';
import { loadBaseModel } from '../src/library/base-model-file';
import { digitsTestExamples, taskById, taskExamples } from '../src/tasks/family';
import { INPUT_LENGTH, SEQUENCE_LENGTH } from '../src/tasks/vocabulary';

const ASSETS = path.resolve(__dirname, '../assets');
const SRC = path.resolve(__dirname, '../src');

/** Every module `file` imports, relative ones followed, as import specifiers. */
function importGraph(file: string, seen = new Map<string, string[]>()): Map<string, string[]> {
  if (seen.has(file)) return seen;
  const specifiers = [...readFileSync(file, 'utf8').matchAll(/(?:import|export)[^'"]*?from\s+'([^']+)'/g)].map((m) => m[1]);
  seen.set(file, specifiers);
  for (const s of specifiers.filter((x) => x.startsWith('.'))) importGraph(path.resolve(path.dirname(file), `${s}.ts`), seen);
  return seen;
}

describe('@loragen/example-demo/browser', () => {
  beforeAll(() => activateBackend('wasm'));

  it('imports nothing of Node: no node: module and no lora-io/core node entry, through every relative import', () => {
    const graph = importGraph(path.join(SRC, 'browser.ts'));
    expect(graph.size).toBeGreaterThan(5);
    for (const [file, specifiers] of graph) {
      for (const s of specifiers) expect(`${path.relative(SRC, file)}: ${s}`).not.toMatch(/: (node:|@loragen\/[^/]+\/node$|fs$|path$)/);
    }
  });

  it('reads the base model from bytes as loadBaseModel reads it from the folder', async () => {
    const dir = path.join(ASSETS, 'base-model');
    const fromBytes = baseModelFromBytes(readFileSync(path.join(dir, 'config.json'), 'utf8'), readFileSync(path.join(dir, 'model.safetensors')));
    const fromFolder = await loadBaseModel(dir);
    expect(fromBytes.config).toEqual(fromFolder.config);
    expect([...fromBytes.weights.keys()]).toEqual([...fromFolder.weights.keys()]);
    for (const [name, w] of fromFolder.weights) expect(fromBytes.weights.get(name)).toEqual(w);
    expect(() => baseModelFromBytes(JSON.stringify({ ...fromFolder.config, width: 16 }), readFileSync(path.join(dir, 'model.safetensors')))).toThrow(
      /expected \[18,16\]/,
    );
  });

  it('parses typed digits and refuses anything but 8 of them', () => {
    expect(parseSequence('3 1 4 1 5 9 2 6')).toEqual([3, 1, 4, 1, 5, 9, 2, 6]);
    expect(parseSequence('3,1,4,1,5,9,2,6')).toEqual([3, 1, 4, 1, 5, 9, 2, 6]);
    expect(parseSequence('31415926')).toEqual([3, 1, 4, 1, 5, 9, 2, 6]);
    expect(() => parseSequence('3 1 4')).toThrow(/8 digits/);
    expect(() => parseSequence('3 1 4 1 5 9 2 x')).toThrow(/8 digits/);
  });

  it("answers sequences as the harness scores them: its labels give the harness's accuracy, with and without a LoRA", async () => {
    const { weights, config } = await loadBaseModel(path.join(ASSETS, 'base-model'));
    const task = taskById('first-7');
    const adapter = await readPeftAdapter(path.join(ASSETS, 'library', task.id));
    const harness = new EvaluationHarness(weights, config, { examples: digitsTestExamples, seed: 3, count: 64 });
    const examples = taskExamples(task, 'test', 3, 64);
    const sequences = Array.from({ length: examples.count }, (_, i) =>
      Array.from(examples.inputs.subarray(i * INPUT_LENGTH, i * INPUT_LENGTH + SEQUENCE_LENGTH)),
    );
    const before = tf.memory().numTensors;
    for (const lora of [null, adapter]) {
      const answers = await answerSequences(weights, config, sequences, lora);
      for (const a of answers) expect(a.probabilities.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 5);
      const correct = answers.filter((a, i) => a.label === examples.labels[i]).length;
      expect((100 * correct) / examples.count).toBe(await harness.accuracy(task, lora));
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
