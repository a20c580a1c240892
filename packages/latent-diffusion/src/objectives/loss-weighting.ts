// Per-timestep weights of the diffusion loss, as functions of SNR_t = abar_t / (1 - abar_t).
import { LatentDiffusionError } from '../errors';
import type { Prediction } from './conversions';

/**
 * - `uniform`: every timestep weighs 1.
 * - `snr-ratio`: snr / (snr + 1) on the loss of the predicted target (the LoRAGen reference's weighting).
 * - `min-snr`: Min-SNR-gamma (Hang et al. 2023): min(snr, gamma) on the x0 error, which on the v loss is
 *   min(snr, gamma) / (snr + 1) and on the epsilon loss min(snr, gamma) / snr.
 */
export type LossWeighting = 'uniform' | 'snr-ratio' | 'min-snr';

/**
 * The weight of the `prediction` loss at signal-to-noise ratio `snr`.
 * @param gamma the cap of `min-snr`. @default 5
 */
export function lossWeight(snr: number, weighting: LossWeighting, prediction: Prediction, gamma = 5): number {
  switch (weighting) {
    case 'uniform':
      return 1;
    case 'snr-ratio':
      return snr / (snr + 1);
    case 'min-snr':
      return Math.min(snr, gamma) / (prediction === 'v' ? snr + 1 : snr);
    default:
      throw new LatentDiffusionError(`lossWeight: unknown weighting '${String(weighting)}'; use 'uniform', 'snr-ratio' or 'min-snr'`);
  }
}
