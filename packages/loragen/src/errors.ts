// Typed errors in the shape every @loragen package shares: `name`, `message` (what was wrong and where, ending with
// the hint on its own line) and `hint` (what to do).

/** Base class of every error @loragen/core throws on purpose; `hint` says what to do. */
export class LoraGenError extends Error {
  /** The message without its hint line. */
  readonly reason: string;

  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(hint ? `${message}\n  hint: ${hint}` : message);
    this.name = new.target.name;
    this.reason = message;
  }
}

/** A tfjs backend was asked for that cannot run here. */
export class BackendUnavailableError extends LoraGenError {}

/** A config field has a value that is not allowed; the message names the field, the value and what is allowed. */
export class ConfigError extends LoraGenError {}

/** A LoRA library cannot be learned from: mismatched layouts, DoRA adapters, missing descriptions, too few tasks. */
export class LibraryError extends LoraGenError {}

/** A checkpoint or saved model folder is missing, corrupt or from an incompatible configuration. */
export class CheckpointError extends LoraGenError {}

/** A text encoder cannot embed: missing package or model, unknown description, wrong dimension. */
export class TextEncoderError extends LoraGenError {}

/** A path given to a command is missing, the wrong kind (a file where a folder is needed), or not writable. */
export class PathError extends LoraGenError {}

/**
 * A computation gave NaN or Infinity: a training loss (training stops at that step) or a generated update. The
 * message says which stage, step, module or tensor.
 */
export class NumericalError extends LoraGenError {}

/** Work stopped because its AbortSignal fired (after the last checkpoint was written). */
export class AbortedError extends LoraGenError {}
