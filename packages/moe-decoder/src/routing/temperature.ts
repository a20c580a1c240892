// The router temperature, annealed linearly (the reference goes 1.5 -> 1.2 over 2000 steps).
import { MoeDecoderError } from '../errors';
import type { TemperatureSchedule } from '../config';

/** tau(step) = start + (end - start) * min(step / steps, 1); with no step, the end of the schedule. */
export function temperatureAt(schedule: TemperatureSchedule, step?: number): number {
  if (step === undefined) return schedule.end;
  if (!(step >= 0)) throw new MoeDecoderError(`decode step must be >= 0, got ${step}`);
  const progress = Math.min(step / schedule.steps, 1);
  return schedule.start + (schedule.end - schedule.start) * progress;
}
