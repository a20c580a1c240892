import * as tf from '@tensorflow/tfjs';
import { activateBackend } from '@loragen/test-utils';
import { forward } from '../src/model/forward';
import { initialWeights, projectionPath, projectionShape } from '../src/model/parameters';
import { disposeTensors, tensorsOf } from '../src/model/tensors';
import { createRng } from '../src/tasks/random';
import { plantedUpdate, SKILL_PROJECTIONS, SKILLS_BASE_MODEL_CONFIG as config, teacherExamples } from '../src/skills/planted-skills';
import { skillsBaseWeights } from '../src/skills/build-skills-library';
import { listSkillTasks, SKILL_ZERO_SHOT_TASK_IDS, SKILLS, skillTaskById } from '../src/skills/skill-family';
import { anchorConditions, embedTasks } from '@loragen/core';
import { benchLibrary, trainingTasks } from '../src/benchmark/libraries';
import { libraryConfig, libraryTextEncoder } from '../src/benchmark/methods';
import { DEMO_SCALE } from '../src/benchmark/scales';

describe('skills family', () => {
  const tasks = listSkillTasks();

  it('has a task per pair of the 12 skills (66), unique ids, 6 distinct descriptions and 2 held-out wordings each', () => {
    expect(tasks.length).toBe(66);
    expect(new Set(tasks.map((t) => t.id)).size).toBe(66);
    for (const t of tasks) {
      expect(new Set(t.descriptions).size).toBe(6);
      expect(t.heldOutDescriptions.length).toBe(2);
      for (const text of [...t.descriptions, ...t.heldOutDescriptions]) for (const s of t.skills) expect(text).toContain(s);
      for (const h of t.heldOutDescriptions) expect(t.descriptions).not.toContain(h);
      expect(t.validationDescriptions.length).toBe(3);
      for (const v of t.validationDescriptions) expect([...t.descriptions, ...t.heldOutDescriptions]).not.toContain(v);
    }
  });

  it("benchmark's snap threshold (0.77) puts every validation wording of a training task on its own task and no unseen pair's description on any", async () => {
    const training = trainingTasks(benchLibrary('skills'));
    const unseen = tasks.filter((t) => SKILL_ZERO_SHOT_TASK_IDS.includes(t.id));
    const encoder = libraryTextEncoder(training);
    const table = await embedTasks(
      encoder,
      training.map((t) => [...t.descriptions]),
    );
    const conditions = (await table.array()) as number[][];
    table.dispose();
    const anchoring = libraryConfig('skills', 1, DEMO_SCALE).sampling!.anchoring!;
    expect(anchoring).toMatchObject({ mode: 'span', snap: 0.77 });
    const anchored = async (texts: string[]) => {
      const rows = await encoder.embed(texts);
      const out = anchorConditions((await rows.array()) as number[][], conditions, { weight: 1, temperature: 0.01, ...anchoring });
      rows.dispose();
      return out;
    };
    const wordings = training.flatMap((t) => t.validationDescriptions);
    const owners = training.flatMap((t, i) => t.validationDescriptions.map(() => i));
    (await anchored(wordings)).forEach((row, k) => expect(row).toEqual(conditions[owners[k]]));
    const unseenTexts = unseen.flatMap((t) => [...t.descriptions, ...t.validationDescriptions]);
    for (const row of await anchored(unseenTexts)) for (const c of conditions) expect(row).not.toEqual(c);
  });

  it('holds out 16 unseen pairs, every skill still in at least 8 training tasks', () => {
    expect(new Set(SKILL_ZERO_SHOT_TASK_IDS).size).toBe(16);
    for (const id of SKILL_ZERO_SHOT_TASK_IDS) expect(skillTaskById(id).id).toBe(id);
    const training = tasks.filter((t) => !SKILL_ZERO_SHOT_TASK_IDS.includes(t.id));
    for (const s of SKILLS) expect(training.filter((t) => t.skills.includes(s)).length).toBeGreaterThanOrEqual(8);
  });

  it('plants updates of the projection shapes, the same on every call, different per skill', () => {
    for (const p of SKILL_PROJECTIONS) {
      const [dOut, dIn] = projectionShape(config, p);
      const a = plantedUpdate('amber', 1, p, config);
      expect([a.u.length, a.v.length]).toEqual([dOut, dIn]);
      expect(Math.hypot(...a.u)).toBeCloseTo(1, 5);
      expect(plantedUpdate('amber', 1, p, config).v).toEqual(a.v);
      expect(plantedUpdate('basalt', 1, p, config).v).not.toEqual(a.v);
    }
  });
});

describe('skills teacher (wasm)', () => {
  beforeAll(() => activateBackend('wasm'));
  const base = initialWeights(config, createRng(3));
  const task = skillTaskById('cedar-garnet');

  it('labels examples by the base model with both skills updates merged in (computed densely here)', async () => {
    const tensors = tensorsOf(base);
    const examples = teacherExamples(task, tensors, config, 'test', 1, 64);
    // the teacher's weights written out: W + sigma_a u_a v_a^T + sigma_b u_b v_b^T for every planted projection
    const merged = new Map([...base].map(([name, w]) => [name, { shape: w.shape, values: Float32Array.from(w.values) }]));
    for (let layer = 0; layer < config.layers; layer++) {
      for (const p of SKILL_PROJECTIONS) {
        const w = merged.get(`${projectionPath(layer, p)}.weight`)!;
        const [, dIn] = w.shape;
        for (const skill of task.skills) {
          const { u, v, sigma } = plantedUpdate(skill, layer, p, config);
          for (let o = 0; o < u.length; o++) for (let i = 0; i < dIn; i++) w.values[o * dIn + i] += sigma * u[o] * v[i];
        }
      }
    }
    const mergedTensors = tensorsOf(merged);
    const logits = tf.tidy(() => tf.softmax(forward(tf.tensor2d(examples.inputs, [64, config.inputLength], 'int32'), mergedTensors, config)));
    const expected = await logits.data();
    for (let i = 0; i < expected.length; i++) expect(Math.abs(examples.targets![i] - expected[i])).toBeLessThan(1e-4);
    for (let r = 0; r < 64; r++) {
      const row = Array.from(examples.targets!.subarray(r * 4, r * 4 + 4));
      expect(examples.labels[r]).toBe(row.indexOf(Math.max(...row)));
    }
    logits.dispose();
    disposeTensors(mergedTensors);
    disposeTensors(tensors);
  });

  it('draws the same examples for a seed and split, others for another', () => {
    const tensors = tensorsOf(base);
    const a = teacherExamples(task, tensors, config, 'test', 1, 256);
    expect(teacherExamples(task, tensors, config, 'test', 1, 256)).toEqual(a);
    expect(teacherExamples(task, tensors, config, 'validation', 1, 256).inputs).not.toEqual(a.inputs);
    disposeTensors(tensors);
  });

  it.each(['amber-basalt', 'cedar-garnet', 'fjord-lumen', 'harbor-indigo'])(
    '%s leaves headroom: the library base model disagrees with its teacher on over 20% of inputs',
    async (id) => {
      const tensors = tensorsOf(skillsBaseWeights(1));
      const examples = teacherExamples(skillTaskById(id), tensors, config, 'test', 1, 256);
      const predicted = tf.tidy(() => tf.argMax(forward(tf.tensor2d(examples.inputs, [256, config.inputLength], 'int32'), tensors, config), -1));
      const p = await predicted.data();
      expect(examples.labels.filter((l, i) => l === p[i]).length / 256).toBeLessThan(0.8);
      predicted.dispose();
      disposeTensors(tensors);
    },
  );
});
