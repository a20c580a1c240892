/** A safetensors file is malformed; `tensor` names the entry at fault when there is one. */
export class SafetensorsError extends Error {
  constructor(message: string, readonly tensor?: string) {
    super(tensor ? `${message} (tensor '${tensor}')` : message);
    this.name = 'SafetensorsError';
  }
}

/** The message with its hint (what to do) on a line of its own, as every package's typed errors print it. */
const withHint = (message: string, hint?: string) => (hint ? `${message}\n  hint: ${hint}` : message);

/** A PEFT adapter folder or file is malformed or uses a feature that cannot be read safely; `hint` says what to do. */
export class AdapterFormatError extends Error {
  constructor(message: string, readonly hint?: string) {
    super(withHint(message, hint));
    this.name = 'AdapterFormatError';
  }
}

/** Adapters that should share one layout (modules, shapes, ranks) do not; `hint` says what to do. */
export class AdapterLayoutError extends Error {
  constructor(message: string, readonly hint?: string) {
    super(withHint(message, hint));
    this.name = 'AdapterLayoutError';
  }
}
