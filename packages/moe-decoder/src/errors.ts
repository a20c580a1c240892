/** Invalid input to @loragen/moe-decoder: says what was wrong and what to do. */
export class MoeDecoderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MoeDecoderError';
  }
}

/** A decoder config that cannot describe a valid decoder (bad sizes, top-K above the expert count, ...). */
export class DecoderConfigError extends MoeDecoderError {
  constructor(message: string) {
    super(message);
    this.name = 'DecoderConfigError';
  }
}

/** A state dict whose names or shapes do not match the decoder it is loaded into. */
export class StateDictError extends MoeDecoderError {
  constructor(message: string) {
    super(message);
    this.name = 'StateDictError';
  }
}
