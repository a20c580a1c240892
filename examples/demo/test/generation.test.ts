// The reduced paper benchmark CI runs (under 3 minutes on wasm): a small LoRAGen trained on ten adapters of the
// committed library must generate adapters that make the base model do those tasks far better than it does alone.
import * as path from 'node:path';
import { useBackend } from '@loragen/core';
import { runSeed } from '../src/benchmark/experiment';
import { loadBaseModel } from '../src/library/base-model-file';
import { readLibrary } from '../src/library/library-folder';
import { listTasks, ZERO_SHOT_TASK_IDS } from '../src/tasks/family';
import { CI_SCALE } from '../src/cli/scales';

const ASSETS = path.resolve(__dirname, '../assets');
const MARGIN_POINTS = 25;

describe('generated adapters (reduced benchmark, wasm)', () => {
  it(`beat the base model on in-distribution tasks by at least ${MARGIN_POINTS} points`, async () => {
    await useBackend('wasm');
    const { weights, config } = await loadBaseModel(path.join(ASSETS, 'base-model'));
    const library = await readLibrary(path.join(ASSETS, 'library'));
    // A ten-task library (every fifth training task: all seven operations), so a short training suffices.
    const training = listTasks()
      .filter((t) => !ZERO_SHOT_TASK_IDS.includes(t.id))
      .filter((_, i) => i % 5 === 0);
    const evaluated = training;
    const results = await runSeed({ base: weights, config, library, training, evaluated, scale: CI_SCALE, testExamples: 256 }, 1, ['base', 'loragen']);
    const mean = (m: 'base' | 'loragen') => [...results.get(m)!.values()].reduce((a, b) => a + b, 0) / evaluated.length;
    expect(mean('loragen') - mean('base')).toBeGreaterThanOrEqual(MARGIN_POINTS);
  }, 170_000);
});
