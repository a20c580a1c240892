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
