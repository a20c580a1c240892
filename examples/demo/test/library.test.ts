import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { readPeftAdapter } from '@loragen/lora-io/node';
import { describeEachBackend } from '@loragen/test-utils';
import { loadBaseModel } from '../src/library/base-model-file';
import { readLibrary } from '../src/library/library-folder';
import { verifyManifest } from '../src/library/manifest';
import { trainTaskLora } from '../src/lora/train-lora';
import { EvaluationHarness } from '../src/eval/harness';
import { evaluateAccuracy } from '../src/eval/accuracy';
import { tensorsOf, disposeTensors } from '../src/model/tensors';
import { listTasks, taskById } from '../src/tasks/family';

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

describeEachBackend('base model and task LoRAs', (backend) => {
  let harness: EvaluationHarness;
  beforeAll(async () => {
    const { weights, config } = await loadBaseModel(path.join(ASSETS, 'base-model'));
    harness = new EvaluationHarness(weights, config, { seed: 99 });
  });

  const cases = ['contains-3', 'first-7', 'twice-4', 'minAtMost-3'];

  it(`knows each task when the prompt names it, and is near chance with the neutral prompt (${backend})`, async () => {
    const weights = tensorsOf(harness.base);
    for (const id of cases) {
      const prompted = await evaluateAccuracy(weights, harness.config, taskById(id), { seed: 99, prompt: 'task' });
      expect(prompted).toBeGreaterThan(0.85);
      expect(await harness.accuracy(taskById(id), null)).toBeLessThan(65);
    }
    disposeTensors(weights);
  });

  it(`a task's LoRA makes the unprompted base model do that task, and not a different one (${backend})`, async () => {
    for (const id of cases) {
      const adapter = await readPeftAdapter(path.join(ASSETS, 'library', id));
      expect(await harness.accuracy(taskById(id), adapter)).toBeGreaterThan(90);
    }
    // contains-3 and absent-3 have opposite answers: the contains-3 LoRA must fail the absent-3 task.
    const contains = await readPeftAdapter(path.join(ASSETS, 'library', 'contains-3'));
    expect(await harness.accuracy(taskById('absent-3'), contains)).toBeLessThan(20);
  });
});

describe('the builder is deterministic', () => {
  beforeAll(async () => {
    require('@tensorflow/tfjs-backend-wasm');
    await tf.setBackend('wasm');
  });

  it('retraining a library LoRA on wasm reproduces the committed factors bit for bit', async () => {
    const { weights, config } = await loadBaseModel(path.join(ASSETS, 'base-model'));
    const committed = await readPeftAdapter(path.join(ASSETS, 'library', 'last-5'));
    const { adapter } = await trainTaskLora({ base: weights, config, task: taskById('last-5'), seed: 1 });
    const bytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
    const byName = new Map(committed.modules.map((m) => [m.name, m]));
    expect(adapter.modules.map((m) => m.name).sort()).toEqual([...byName.keys()].sort());
    for (const m of adapter.modules) {
      expect(bytes(m.A).equals(bytes(byName.get(m.name)!.A))).toBe(true);
      expect(bytes(m.B).equals(bytes(byName.get(m.name)!.B))).toBe(true);
    }
  });
});
