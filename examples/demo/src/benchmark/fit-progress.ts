// Progress bars for LoRAGen's two training stages (and the Text-to-LoRA baseline's one).
import type { FitProgress } from '@loragen/core';
import { ProgressBar } from '@loragen/core/node';

const STAGE_LABELS: Record<FitProgress['stage'], string> = {
  autoencoder: 'stage 1 (LoRA autoencoder)',
  diffusion: 'stage 2 (latent diffusion)',
  hypernetwork: '(text-to-LoRA hypernetwork)',
};

/** Returns an `onProgress` callback that draws one bar per stage, prefixed by `label`. */
export function fitProgressBars(label: string): (p: FitProgress) => void {
  let stage: FitProgress['stage'] | undefined;
  let bar: ProgressBar | undefined;
  return (p) => {
    if (p.stage !== stage) {
      bar?.finish();
      stage = p.stage;
      bar = new ProgressBar(`${label} ${STAGE_LABELS[p.stage]}`, p.totalSteps);
    }
    if (p.step < p.totalSteps) bar!.update(p.step, `loss ${p.loss.toFixed(4)}`);
    else {
      bar!.finish(`loss ${p.loss.toFixed(4)}`);
      bar = undefined;
      stage = undefined;
    }
  };
}
