/** Invalid input to @loragen/moe-decoder: says what was wrong and what to do. */
export class MoeDecoderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MoeDecoderError';
  }
}
