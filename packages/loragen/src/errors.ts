/** Base class of every error @loragen/core throws on purpose; `hint` says what to do. */
export class LoraGenError extends Error {
  constructor(message: string, readonly hint?: string) {
    super(hint ? `${message}\n  hint: ${hint}` : message);
    this.name = new.target.name;
  }
}

/** A tfjs backend was asked for that cannot run here. */
export class BackendUnavailableError extends LoraGenError {}
