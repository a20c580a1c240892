// The skills family's teacher: each skill is a seeded rank-1 update of every adapted projection; a task's teacher
// is the base model with its two skills' updates added, and its examples are random token sequences labelled by
// the teacher (its class probabilities, to imitate, and its arg-max class).
import * as tf from '@tensorflow/tfjs';
import type { BaseModelConfig } from '../model/config';
import { forward, type LoraSidePaths, type ModelTensors } from '../model/forward';
import { projectionPath, projectionShape, type Projection } from '../model/parameters';
import type { Examples, ExampleSource, Split } from '../tasks/family';
import { createRng, deriveSeed } from '../tasks/random';
import { INPUT_LENGTH, VOCABULARY_SIZE } from '../tasks/vocabulary';
import type { Skill, SkillTask } from './skill-family';

/**
 * The base model the skills are planted in: grouped-query attention (k and v half as wide as q, so the adapted
 * projections have two shapes) and an MLP twice as wide as the stream; four output classes.
 */
export const SKILLS_BASE_MODEL_CONFIG: BaseModelConfig = {
  layers: 2,
  width: 32,
  heads: 4,
  kvHeads: 2,
  mlpWidth: 64,
  vocabularySize: VOCABULARY_SIZE,
  inputLength: INPUT_LENGTH,
  classes: 4,
};

/**
 * The projections every skill updates and every library LoRA adapts: attention's q and o (32 x 32) and the grouped
 * k and v (16 x 32). Skills planted in the MLP too were measured and dropped: a LoRA recovered them poorly (cosine
 * with the planted update 0.02-0.3 for up / down against 0.4-0.8 for attention, 300 steps), which left each
 * task's update with a large part of its own that no mix of other tasks' updates reproduces (oracle-span 65.6%).
 */
export const SKILL_PROJECTIONS: readonly Projection[] = ['q', 'k', 'v', 'o'];

/** Spectral norm of each planted update, relative to the typical spectral norm of the projection it updates. */
export const SKILL_STRENGTH = 1;

function unitVector(rng: ReturnType<typeof createRng>, n: number): Float32Array {
  const v = Float32Array.from({ length: n }, () => rng.normal());
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

/** One skill's update of one projection, sigma u v^T with unit u [out] and v [in]. */
export function plantedUpdate(
  skill: Skill,
  layer: number,
  projection: Projection,
  config: BaseModelConfig,
): { u: Float32Array; v: Float32Array; sigma: number } {
  const [dOut, dIn] = projectionShape(config, projection);
  const rng = createRng(deriveSeed(`skill/${skill}/${layer}/${projection}`, 1));
  // A projection with N(0, 1 / in) entries has spectral norm about (sqrt(out) + sqrt(in)) / sqrt(in).
  const sigma = (SKILL_STRENGTH * (Math.sqrt(dOut) + Math.sqrt(dIn))) / Math.sqrt(dIn);
  return { u: unitVector(rng, dOut), v: unitVector(rng, dIn), sigma };
}

/** The teacher's updates as side paths: per projection A = [v_a; v_b], B = [sigma_a u_a, sigma_b u_b]. */
export function teacherSidePaths(task: SkillTask, config: BaseModelConfig): LoraSidePaths {
  const paths: LoraSidePaths = new Map();
  for (let layer = 0; layer < config.layers; layer++) {
    for (const projection of SKILL_PROJECTIONS) {
      const [dOut, dIn] = projectionShape(config, projection);
      const [first, second] = task.skills.map((s) => plantedUpdate(s, layer, projection, config));
      const A = new Float32Array(2 * dIn);
      A.set(first.v, 0);
      A.set(second.v, dIn);
      const B = new Float32Array(dOut * 2);
      for (let o = 0; o < dOut; o++) {
        B[2 * o] = first.sigma * first.u[o];
        B[2 * o + 1] = second.sigma * second.u[o];
      }
      paths.set(projectionPath(layer, projection), { A: tf.tensor2d(A, [2, dIn]), B: tf.tensor2d(B, [dOut, 2]), scaling: 1 });
    }
  }
  return paths;
}

/**
 * `count` random token sequences of `task`'s seeded `split` stream, labelled by its teacher. `base` must hold the
 * skills base model's weights (the caller keeps them; the teacher's side paths are made and freed here).
 */
export function teacherExamples(task: SkillTask, base: ModelTensors, config: BaseModelConfig, split: Split, seed: number, count: number): Examples {
  const rng = createRng(deriveSeed(`${task.id}/${split}`, seed));
  const inputs = Int32Array.from({ length: count * config.inputLength }, () => rng.int(0, config.vocabularySize - 1));
  const teacher = teacherSidePaths(task, config);
  try {
    const [targets, labels] = tf.tidy(() => {
      const logits = forward(tf.tensor2d(inputs, [count, config.inputLength], 'int32'), base, config, teacher);
      return [tf.softmax(logits), tf.argMax(logits, -1)];
    });
    const out = { inputs, count, targets: targets.dataSync() as Float32Array, labels: Int32Array.from(labels.dataSync()) };
    tf.dispose([targets, labels]);
    return out;
  } finally {
    for (const side of teacher.values()) tf.dispose([side.A, side.B]);
  }
}

/** A skills task as an example source on the base model `base`. */
export const skillExampleSource = (task: SkillTask, base: ModelTensors, config: BaseModelConfig): ExampleSource => ({
  id: task.id,
  examples: (split, seed, count) => teacherExamples(task, base, config, split, seed, count),
});
