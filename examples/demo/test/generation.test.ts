// The reduced paper benchmark CI runs (a few minutes on wasm): a small LoRAGen trained on ten adapters of the
// committed library must generate adapters that recover most of what the task LoRAs add to the base model.
import * as path from 'node:path';
import { useBackend } from '@loragen/core';
import { runSeed } from '../src/benchmark/experiment';
import { loadBaseModel } from '../src/library/base-model-file';
import { readLibrary } from '../src/library/library-folder';
import { digitsTestExamples, listTasks, ZERO_SHOT_TASK_IDS } from '../src/tasks/family';
import { CI_SCALE } from '../src/benchmark/scales';

const ASSETS = path.resolve(__dirname, '../assets');
/** Share of the task LoRAs' gain over the base model that generated adapters must recover. */
const RECOVERY = 0.8;

describe('generated adapters (reduced benchmark, wasm)', () => {
  it(`recover at least ${100 * RECOVERY}% of the task LoRAs' gain on in-distribution tasks`, async () => {
    await useBackend('wasm');
    const { weights, config } = await loadBaseModel(path.join(ASSETS, 'base-model'));
    const library = await readLibrary(path.join(ASSETS, 'library'));
    // A ten-task library (every fifth training task: all seven operations), so a short training suffices.
    const training = listTasks()
      .filter((t) => !ZERO_SHOT_TASK_IDS.includes(t.id))
      .filter((_, i) => i % 5 === 0);
    const evaluated = training;
    const { accuracies } = await runSeed(
      {
        libraryName: 'digits',
        base: weights,
        config,
        library,
        examples: digitsTestExamples,
        training,
        evaluated,
        scale: CI_SCALE,
        testExamples: 256,
      },
      1,
      ['base', 'task-lora', 'loragen'],
    );
    const mean = (m: 'base' | 'task-lora' | 'loragen') => [...accuracies.get(m)!.values()].reduce((a, b) => a + b, 0) / evaluated.length;
    const recovery = (mean('loragen') - mean('base')) / (mean('task-lora') - mean('base'));
    // the figures in the CI log, so a pass says by how much
    process.stderr.write(
      `reduced benchmark: base ${mean('base').toFixed(1)}, loragen ${mean('loragen').toFixed(1)}, task-lora ${mean('task-lora').toFixed(1)}: ${(100 * recovery).toFixed(1)}% of the gain\n`,
    );
    // the task LoRAs must clearly beat base, or the ratio says nothing
    expect(mean('task-lora') - mean('base')).toBeGreaterThan(30);
    expect(recovery).toBeGreaterThanOrEqual(RECOVERY);
  }, 600_000);
});
