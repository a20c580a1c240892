/** Invalid input to @loragen/latent-diffusion: says what was wrong and what to do. */
export class LatentDiffusionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LatentDiffusionError';
  }
}
