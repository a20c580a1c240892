// Builds the skills library: the base model (left at its seeded initialisation: the teachers are defined on it)
// and one LoRA per task, trained from an initialisation of its own to imitate the task's teacher. Tasks are
// independent, so they train in shards (one per child process) with identical results.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { trainTaskLora } from '../lora/train-lora';
import { writeLibraryEntry } from '../library/library-folder';
import type { BuildRecord } from '../library/manifest';
import { initialWeights, type WeightTable } from '../model/parameters';
import { disposeTensors, tensorsOf } from '../model/tensors';
import { createRng, deriveSeed } from '../tasks/random';
import { listSkillTasks, type SkillTask } from './skill-family';
import type { ModelTensors } from '../model/forward';
import { SKILL_PROJECTIONS, SKILLS_BASE_MODEL_CONFIG, skillExampleSource } from './planted-skills';

/**
 * LoRA training of the skills library: rank 4 on q, k, v, o, a fixed budget. Longer training brings each LoRA's
 * update closer to its planted one (cosine about 0.73 at 300 steps, measured on three tasks), so updates of tasks
 * sharing a skill share more.
 */
export const SKILL_LORA = { rank: 4, alpha: 8, steps: 400, learningRate: 1e-2 } as const;

/** The skills base model's weights: seeded initialisation, no pre-training. */
export const skillsBaseWeights = (seed: number): WeightTable => initialWeights(SKILLS_BASE_MODEL_CONFIG, createRng(deriveSeed('skills/base', seed)));

/** One task's library LoRA, trained on `base` (its weights, and the same as tensors for the teacher). */
export const trainSkillLora = (task: SkillTask, base: WeightTable, baseTensors: ModelTensors, seed: number) =>
  trainTaskLora({
    base,
    config: SKILLS_BASE_MODEL_CONFIG,
    task: skillExampleSource(task, baseTensors, SKILLS_BASE_MODEL_CONFIG),
    seed,
    init: 'per-task',
    projections: SKILL_PROJECTIONS,
    ...SKILL_LORA,
  });

type TaskRecord = BuildRecord['tasks'][number];

/**
 * Trains the tasks of shard `shard` of `shards` (every `shards`-th task from the `shard`-th) into `library` and
 * writes their records to `recordFile`. `onTask` reports each finished task.
 */
export async function trainSkillsShard(
  library: string,
  seed: number,
  shard: number,
  shards: number,
  recordFile: string,
  onTask?: (record: TaskRecord) => void,
): Promise<void> {
  const base = skillsBaseWeights(seed);
  const baseTensors = tensorsOf(base);
  const records: TaskRecord[] = [];
  try {
    for (const task of listSkillTasks().filter((_, i) => i % shards === shard)) {
      const lora = await trainSkillLora(task, base, baseTensors, seed);
      await writeLibraryEntry(library, task, lora.adapter);
      const record = { id: task.id, steps: lora.steps, validationAccuracy: lora.accuracy };
      records.push(record);
      onTask?.(record);
    }
  } finally {
    disposeTensors(baseTensors);
  }
  await writeFile(recordFile, JSON.stringify(records));
}

/** The records of every shard's file, in task order. */
export async function mergeShardRecords(recordFiles: readonly string[]): Promise<TaskRecord[]> {
  const all = (await Promise.all(recordFiles.map(async (f) => JSON.parse(await readFile(f, 'utf8')) as TaskRecord[]))).flat();
  const order = new Map(listSkillTasks().map((t, i) => [t.id, i]));
  return all.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
}

export const shardRecordFile = (dir: string, shard: number): string => join(dir, `shard-${shard}.json`);
