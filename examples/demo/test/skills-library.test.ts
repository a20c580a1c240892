// The committed skills library: its files, the premise the paper's zero-shot claim needs (similar descriptions,
// similar dW; unrelated raw factors), headroom for a generator that mixes library updates, and a bit-exact rebuild.
import * as path from 'node:path';
import { observeLibrary } from '@loragen/core';
import { activateBackend } from '@loragen/test-utils';
import { loadBaseModel } from '../src/library/base-model-file';
import { expectSameFactors } from './same-factors';
import { readLibrary, type LibraryEntry } from '../src/library/library-folder';
import { verifyManifest } from '../src/library/manifest';
import { EvaluationHarness } from '../src/eval/harness';
import { oracleSpanAdapter } from '../src/eval/oracle-span';
import { updateGram } from '../src/eval/update-inner';
import { projectionShape } from '../src/model/parameters';
import { disposeTensors, tensorsOf } from '../src/model/tensors';
import { skillsBaseWeights, trainSkillLora } from '../src/skills/build-skills-library';
import { SKILL_PROJECTIONS, SKILLS_BASE_MODEL_CONFIG, teacherExamples } from '../src/skills/planted-skills';
import { listSkillTasks, SKILL_ZERO_SHOT_TASK_IDS, skillTaskById, type SkillTask } from '../src/skills/skill-family';

const ASSETS = path.resolve(__dirname, '../assets-skills');

describe('committed skills library', () => {
  let library: Map<string, LibraryEntry>;
  beforeAll(async () => {
    library = await readLibrary(path.join(ASSETS, 'library'));
  });

  it('matches its manifest checksums', async () => {
    expect(await verifyManifest(ASSETS)).toEqual([]);
  });

  it('holds one rank-4 PEFT adapter per task on q, k, v and o of both layers, k and v narrower (grouped-query)', async () => {
    const tasks = listSkillTasks();
    expect([...library.keys()].sort()).toEqual(tasks.map((t) => t.id).sort());
    for (const task of tasks) {
      const { adapter, descriptions } = library.get(task.id)!;
      expect(descriptions).toEqual(task.descriptions);
      expect(adapter.modules.length).toBe(2 * SKILL_PROJECTIONS.length);
      for (const m of adapter.modules) {
        const projection = SKILL_PROJECTIONS.find((p) => m.name.endsWith(`.${p}_proj`))!;
        expect([m.rank, m.dOut, m.dIn]).toEqual([4, ...projectionShape(SKILLS_BASE_MODEL_CONFIG, projection)]);
      }
    }
    const { config } = await loadBaseModel(path.join(ASSETS, 'base-model'));
    expect(config).toEqual(SKILLS_BASE_MODEL_CONFIG);
  });

  it("holds the paper's premise: description similarity tracks dW (r >= 0.5), not the raw factors (r <= 0.2)", () => {
    const { correlation } = observeLibrary([...library.values()]);
    expect(correlation.deltaW).toBeGreaterThanOrEqual(0.5);
    expect(correlation.factors).toBeLessThanOrEqual(0.2);
  });
});

describe('skills library on its base model (wasm)', () => {
  let library: Map<string, LibraryEntry>;
  let harness: EvaluationHarness<SkillTask>;
  let base: ReturnType<typeof tensorsOf>;
  beforeAll(async () => {
    await activateBackend('wasm');
    library = await readLibrary(path.join(ASSETS, 'library'));
    const { weights, config } = await loadBaseModel(path.join(ASSETS, 'base-model'));
    base = tensorsOf(weights);
    harness = new EvaluationHarness(weights, config, {
      seed: 99,
      count: 256,
      examples: (task, seed, count) => teacherExamples(task, base, config, 'test', seed, count),
    });
  });

  afterAll(() => disposeTensors(base));

  it("each sampled LoRA closes most of the base model's gap to its teacher, and does nothing for an unrelated task", async () => {
    const unrelated = skillTaskById('basalt-fjord');
    const unrelatedBase = await harness.accuracy(unrelated, null);
    for (const id of ['amber-cedar', 'dune-kestrel', 'garnet-lumen']) {
      const task = skillTaskById(id);
      const base = await harness.accuracy(task, null);
      // at least 3/4 of the way from the base model's agreement with the teacher to full agreement
      expect((await harness.accuracy(task, library.get(id)!.adapter)) - base).toBeGreaterThan(0.75 * (100 - base));
      // a task sharing no skill: no better than its base model
      expect(await harness.accuracy(unrelated, library.get(id)!.adapter)).toBeLessThan(unrelatedBase + 3);
    }
  });

  it("leaves headroom: the closest mix of training updates recovers >= 80% of the held-out task LoRAs' gain (oracle-span)", async () => {
    const training = listSkillTasks().filter((t) => !SKILL_ZERO_SHOT_TASK_IDS.includes(t.id));
    const adapters = training.map((t) => library.get(t.id)!.adapter);
    const gram = updateGram(adapters);
    let base = 0;
    let own = 0;
    let oracle = 0;
    for (const id of SKILL_ZERO_SHOT_TASK_IDS) {
      const task = skillTaskById(id);
      base += await harness.accuracy(task, null);
      own += await harness.accuracy(task, library.get(id)!.adapter);
      oracle += await harness.accuracy(task, await oracleSpanAdapter(adapters, gram, library.get(id)!.adapter, 4));
    }
    process.stderr.write(
      `skills oracle-span over ${SKILL_ZERO_SHOT_TASK_IDS.length} held-out tasks: base ${(base / 16).toFixed(1)}, oracle ${(oracle / 16).toFixed(1)}, task LoRA ${(own / 16).toFixed(1)}\n`,
    );
    expect((oracle - base) / (own - base)).toBeGreaterThanOrEqual(0.8);
  });
});

describe('the skills builder is deterministic', () => {
  beforeAll(() => activateBackend('wasm'));

  it('retraining a library LoRA on wasm reproduces the committed factors bit for bit', async () => {
    const task = skillTaskById('ember-indigo');
    const base = skillsBaseWeights(1);
    const baseTensors = tensorsOf(base);
    const { adapter } = await trainSkillLora(task, base, baseTensors, 1);
    disposeTensors(baseTensors);
    const committed = (await readLibrary(path.join(ASSETS, 'library'))).get(task.id)!.adapter;
    expectSameFactors(adapter, committed);
  });
});
