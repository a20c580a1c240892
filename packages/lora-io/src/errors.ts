/** A safetensors file is malformed; `tensor` names the entry at fault when there is one. */
export class SafetensorsError extends Error {
  constructor(message: string, readonly tensor?: string) {
    super(tensor ? `${message} (tensor '${tensor}')` : message);
    this.name = 'SafetensorsError';
  }
}

/** A PEFT adapter folder or file is malformed or uses a feature that cannot be read safely. */
export class AdapterFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AdapterFormatError';
  }
}

/** Adapters that should share one layout (modules, shapes, ranks) do not. */
export class AdapterLayoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AdapterLayoutError';
  }
}
