import * as path from 'node:path';
import { readPeftAdapter } from '@loragen/lora-io/node';
import { activateBackend } from '@loragen/test-utils';
import { loadBaseModel } from '../src/library/base-model-file';
import { readLibrary } from '../src/library/library-folder';
import { verifyManifest } from '../src/library/manifest';
import { trainTaskLora } from '../src/lora/train-lora';
import { EvaluationHarness } from '../src/eval/harness';
import { evaluateAccuracy } from '../src/eval/accuracy';
import { tensorsOf, disposeTensors } from '../src/model/tensors';
import { digitsTestExamples, exampleSource, listTasks, taskById, type Task } from '../src/tasks/family';

import { expectSameFactors } from './same-factors';

const ASSETS = path.resolve(__dirname, '../assets');

describe('committed artefacts', () => {
  it('match the manifest checksums', async () => {
    expect(await verifyManifest(ASSETS)).toEqual([]);
  });

  it('hold one PEFT adapter per task: rank 4 on q_proj and v_proj of all 4 layers, with the task family descriptions', async () => {
    const library = await readLibrary(path.join(ASSETS, 'library'));
    const tasks = listTasks();
    expect([...library.keys()].sort()).toEqual(tasks.map((t) => t.id).sort());
    for (const task of tasks) {
      const { adapter, descriptions } = library.get(task.id)!;
      expect(descriptions).toEqual(task.descriptions);
      expect(adapter.modules.map((m) => m.name.replace('base_model.model.model.layers.', '')).sort()).toEqual(
        ['0', '1', '2', '3'].flatMap((l) => [`${l}.self_attn.q_proj`, `${l}.self_attn.v_proj`]).sort(),
      );
      for (const m of adapter.modules) expect([m.rank, m.scaling, m.dIn, m.dOut]).toEqual([4, 2, 32, 32]);
    }
  });
});

// Evaluation at this size is slow on cpu (the forward pass is checked on cpu against the reference in
// forward.test.ts), so the library's behaviour is checked on wasm, the backend that built it.
describe('base model and task LoRAs (wasm)', () => {
  let harness: EvaluationHarness<Task>;
  beforeAll(async () => {
    await activateBackend('wasm');
    const { weights, config } = await loadBaseModel(path.join(ASSETS, 'base-model'));
    harness = new EvaluationHarness(weights, config, { seed: 99, count: 128, examples: digitsTestExamples });
  });

  it('knows the tasks when the prompt names them (mean over all 62) and is near chance with the neutral prompt', async () => {
    const weights = tensorsOf(harness.base);
    const tasks = listTasks();
    let prompted = 0;
    for (const task of tasks) prompted += await evaluateAccuracy(weights, harness.config, task, { seed: 99, count: 128, prompt: 'task' });
    expect(prompted / tasks.length).toBeGreaterThan(0.95);
    disposeTensors(weights);
    let neutral = 0;
    for (const task of tasks) neutral += await harness.accuracy(task, null);
    expect(Math.abs(neutral / tasks.length - 50)).toBeLessThan(10);
  });

  it("a task's LoRA makes the unprompted base model do that task, and not the opposite one", async () => {
    for (const id of ['contains-3', 'first-7', 'twice-4', 'minAtMost-3']) {
      const adapter = await readPeftAdapter(path.join(ASSETS, 'library', id));
      expect(await harness.accuracy(taskById(id), adapter)).toBeGreaterThan(90);
    }
    // contains-3 and absent-3 have opposite answers: the contains-3 LoRA must fail the absent-3 task.
    const contains = await readPeftAdapter(path.join(ASSETS, 'library', 'contains-3'));
    expect(await harness.accuracy(taskById('absent-3'), contains)).toBeLessThan(20);
  });
});

describe('the builder is deterministic', () => {
  // its own backend: run alone (jest -t), this block would otherwise train on cpu
  beforeAll(() => activateBackend('wasm'));

  it('retraining a library LoRA on wasm reproduces the committed factors bit for bit', async () => {
    const { weights, config } = await loadBaseModel(path.join(ASSETS, 'base-model'));
    const committed = await readPeftAdapter(path.join(ASSETS, 'library', 'last-5'));
    const { adapter } = await trainTaskLora({ base: weights, config, task: exampleSource(taskById('last-5')), seed: 1 });
    expectSameFactors(adapter, committed);
  });
});
