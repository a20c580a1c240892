import { createSchedule, type NoiseSchedule } from '@loragen/latent-diffusion';
import type { LoraGenConfig } from '../config/schema';

/** The noise schedule the config describes. */
export function scheduleFor(cfg: LoraGenConfig): NoiseSchedule {
  const d = cfg.diffusion;
  return createSchedule({ kind: d.schedule, timesteps: d.timesteps, betaStart: d.betaStart, betaEnd: d.betaEnd });
}
