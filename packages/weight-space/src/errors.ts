/** Invalid input to @loragen/weight-space: says what was wrong and what to do. */
export class WeightSpaceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WeightSpaceError';
  }
}
