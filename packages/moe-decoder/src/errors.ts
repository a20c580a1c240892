// The typed errors of @loragen/moe-decoder, in the shape every @loragen package shares: `name`, `message` (what
// was wrong, ending with the hint on its own line) and `hint` (what to do).

/** Invalid input to @loragen/moe-decoder: says what was wrong and what to do. */
export class MoeDecoderError extends Error {
  constructor(
    message: string,
    readonly hint = 'check the decoder config and the latents passed to decode (see the README)',
  ) {
    super(`${message}\n  hint: ${hint}`);
    this.name = new.target.name;
  }
}

/** A decoder config that cannot describe a valid decoder (bad sizes, top-K above the expert count, ...). */
export class DecoderConfigError extends MoeDecoderError {
  constructor(message: string, hint = 'fix the decoder config field named above') {
    super(message, hint);
  }
}

/** A state dict whose names or shapes do not match the decoder it is loaded into. */
export class StateDictError extends MoeDecoderError {
  constructor(message: string, hint = 'load a state dict saved from a decoder with the same config') {
    super(message, hint);
  }
}
