import type { LoraGenConfig } from '../config/schema';
import type { TrainableDenoiser } from './conditional-denoiser';

/** What a custom denoiser factory is given. */
export interface DenoiserShape {
  positions: number;
  latentDim: number;
  condDim: number;
}

export function buildDenoiser(cfg: LoraGenConfig, positions: number, latentDim: number, condDim: number): TrainableDenoiser {
  void cfg;
  void positions;
  void latentDim;
  void condDim;
  throw new Error('TODO: latent-diffusion DiT');
}
