// Typed errors in the shape every @loragen package shares: `name`, `message` (what was wrong, ending with the
// hint on its own line) and `hint` (what to do).

/** Invalid input to @loragen/latent-diffusion: says what was wrong and what to do. */
export class LatentDiffusionError extends Error {
  constructor(
    message: string,
    readonly hint = 'check the option named above against the README of @loragen/latent-diffusion',
  ) {
    super(`${message}\n  hint: ${hint}`);
    this.name = 'LatentDiffusionError';
  }
}

/**
 * Thrown by `sample` when its `AbortSignal` fires. Its `name` is `'AbortError'`, like the DOM's, so code that
 * already handles aborted `fetch` calls handles this too.
 */
export class SamplingAbortedError extends Error {
  /** The step (0-based) at which sampling stopped. */
  readonly step: number;

  constructor(step: number, reason?: unknown) {
    super(`sampling was aborted at step ${step}${reason === undefined ? '' : `: ${String(reason)}`}`);
    this.name = 'AbortError';
    this.step = step;
  }
}
