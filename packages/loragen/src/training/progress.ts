/** Reported after every training step. */
export interface FitProgress {
  stage: 'autoencoder' | 'diffusion';
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

/** Runs `step()` from `start` to `total` steps, reporting progress and checkpointing as the hooks ask. */
export async function runSteps(
  stage: FitProgress['stage'],
  start: number,
  total: number,
  step: (index: number) => Promise<number>,
  hooks: StageHooks,
  onAbort: () => Error,
): Promise<void> {
  for (let i = start; i < total; i++) {
    if (hooks.signal?.aborted) {
      await hooks.checkpoint?.(i);
      throw onAbort();
    }
    const loss = await step(i);
    hooks.onProgress?.({ stage, step: i + 1, totalSteps: total, loss });
    if ((i + 1) % hooks.checkpointEvery === 0 || i + 1 === total) await hooks.checkpoint?.(i + 1);
  }
}
