// The condition each stage-2 training latent is paired with, as config `diffusion.conditioning` asks.
import type { SeededRng } from '@loragen/latent-diffusion';
import type { LoraGenConfig } from '../config/schema';
import { gatherRows } from './batches';
import type { LatentSet } from './diffusion-trainer';

type ConditionSource = Pick<LatentSet, 'conditions' | 'descriptionConditions' | 'descriptionOffsets' | 'condDim'>;

/**
 * One condition row per drawn task in `idx`: its task mean ('task-mean', no draws at all), one of its description
 * rows drawn at random ('one-description'), or with 'mixed' the task mean with probability `taskMeanShare` and a
 * drawn description otherwise (one uniform draw per row first, then the description's index when one is drawn).
 */
export function drawConditionRows(
  data: ConditionSource,
  idx: readonly number[],
  cfg: Pick<LoraGenConfig['diffusion'], 'conditioning' | 'taskMeanShare'>,
  rng: SeededRng,
): Float32Array {
  const width = data.condDim;
  if (cfg.conditioning === 'task-mean') return gatherRows(data.conditions, width, idx);
  const out = new Float32Array(idx.length * width);
  idx.forEach((task, i) => {
    if (cfg.conditioning === 'mixed' && rng.uniform() < cfg.taskMeanShare) {
      out.set(data.conditions.subarray(task * width, (task + 1) * width), i * width);
      return;
    }
    const first = data.descriptionOffsets[task];
    const row = first + rng.int(data.descriptionOffsets[task + 1] - first);
    out.set(data.descriptionConditions.subarray(row * width, (row + 1) * width), i * width);
  });
  return out;
}
