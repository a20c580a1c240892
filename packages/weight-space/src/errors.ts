// The typed error of @loragen/weight-space, in the shape every @loragen package shares: `name`, `message` (what
// was wrong, ending with the hint on its own line) and `hint` (what to do).

const HINT = 'pass float32 factors A [..., r, dIn] and B [..., dOut, r] with matching batch dimensions (see the README)';

/** Invalid input to @loragen/weight-space: says what was wrong and what to do. */
export class WeightSpaceError extends Error {
  constructor(
    message: string,
    readonly hint: string = HINT,
  ) {
    super(`${message}\n  hint: ${hint}`);
    this.name = 'WeightSpaceError';
  }
}

/**
 * The SIMD kernels' WebAssembly module failed to compile or instantiate on an engine that has WebAssembly SIMD: a
 * bug of this package (or of the engine), never a reason to quietly run something else.
 */
export class KernelModuleError extends WeightSpaceError {
  constructor(message: string, cause?: unknown) {
    super(
      `@loragen/weight-space: ${message}${cause instanceof Error ? ` (${cause.message})` : ''}`,
      'please report this with the message above; meanwhile setSimdKernels(false) runs the tfjs-ops formulation on cpu and wasm',
    );
    this.name = 'KernelModuleError';
    this.cause = cause;
  }
}

/**
 * The tfjs in use is not the version whose internals the SIMD kernels of cpu and wasm were written against (they
 * read tfjs-backend-wasm's heap and tfjs-core's gradient tape, which are not public API).
 */
export class UnsupportedTfjsError extends WeightSpaceError {
  constructor(message: string) {
    super(
      `@loragen/weight-space: ${message}`,
      'use @tensorflow/tfjs-core and @tensorflow/tfjs-backend-wasm 4.22.x, or call setSimdKernels(false) to run the tfjs-ops formulation with this version',
    );
    this.name = 'UnsupportedTfjsError';
  }
}
