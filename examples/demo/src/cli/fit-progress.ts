// Progress bars for LoRAGen's two training stages.
import type { FitProgress } from '@loragen/core';
import { progressBar, type ProgressBar } from './progress';

/** Returns an `onProgress` callback that draws one bar per stage, prefixed by `label`. */
export function fitProgressBars(label: string): (p: FitProgress) => void {
  let stage: FitProgress['stage'] | undefined;
  let bar: ProgressBar | undefined;
  return (p) => {
    if (p.stage !== stage) {
      bar?.finish();
      stage = p.stage;
      bar = progressBar(`${label} ${p.stage === 'autoencoder' ? 'stage 1 (LoRA autoencoder)' : 'stage 2 (latent diffusion)'}`, p.totalSteps);
    }
    if (p.step < p.totalSteps) bar!.update(p.step, `loss ${p.loss.toFixed(4)}`);
    else {
      bar!.finish(`loss ${p.loss.toFixed(4)}`);
      bar = undefined;
      stage = undefined;
    }
  };
}
