import { NumericalError } from '../errors';

/** Reported after every training step. */
export interface FitProgress {
  /** LoRAGen's two stages, or the one of the Text-to-LoRA baseline (`TextToLora`). */
  stage: 'autoencoder' | 'diffusion' | 'hypernetwork';
  /** 1-based step within the stage. */
  step: number;
  totalSteps: number;
  /** The step's training loss. */
  loss: number;
}

/** What a stage's step loop reports to and asks of its caller. */
export interface StageHooks {
  onProgress?: (progress: FitProgress) => void;
  signal?: AbortSignal;
  /** Persists the training state after `step` completed steps (called when due and before stopping on abort). */
  checkpoint?: (step: number) => Promise<void>;
  /** Steps between checkpoints. */
  checkpointEvery: number;
}

/**
 * Lets signal handlers, timers and UI events run: awaiting tensor data on the cpu backend never leaves the microtask
 * queue, so without this an abort (Ctrl-C, a Stop button) would wait for the next checkpoint's file I/O.
 */
const yieldToEventLoop = (): Promise<void> =>
  new Promise((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));

const STAGE_NAMES: Record<FitProgress['stage'], string> = {
  autoencoder: 'stage 1 (autoencoder)',
  diffusion: 'stage 2 (diffusion)',
  hypernetwork: 'the text-to-LoRA hypernetwork',
};

/** The config section whose settings a stage trains with (the hypernetwork uses stage 1's). */
const CONFIG_SECTIONS: Record<FitProgress['stage'], string> = { autoencoder: 'autoencoder', diffusion: 'diffusion', hypernetwork: 'autoencoder' };

/**
 * Runs `step()` from `start` to `total` steps, reporting progress and checkpointing as the hooks ask.
 * @throws NumericalError at the first step whose loss is NaN or Infinity (nothing is checkpointed after it).
 */
export async function runSteps(
  stage: FitProgress['stage'],
  start: number,
  total: number,
  step: (index: number) => Promise<number>,
  hooks: StageHooks,
  onAbort: () => Error,
): Promise<void> {
  for (let i = start; i < total; i++) {
    if (hooks.signal) await yieldToEventLoop();
    if (hooks.signal?.aborted) {
      await hooks.checkpoint?.(i);
      throw onAbort();
    }
    const loss = await step(i);
    if (!Number.isFinite(loss)) {
      throw new NumericalError(
        `${STAGE_NAMES[stage]}: the training loss is ${loss} at step ${i + 1} of ${total}; training stopped there`,
        `lower the learning rate (${CONFIG_SECTIONS[stage]}.learningRate in the config) or check the library for extreme values`,
      );
    }
    hooks.onProgress?.({ stage, step: i + 1, totalSteps: total, loss });
    if ((i + 1) % hooks.checkpointEvery === 0 || i + 1 === total) await hooks.checkpoint?.(i + 1);
  }
}
