// lora-io's typed errors share one shape with every @loragen package: `name`, `message` (what was wrong and
// where, ending with the hint on its own line) and `hint` (what to do), so a program can tell them from bugs.

/** Base of lora-io's errors; `hint` says what to do. */
export class LoraIoError extends Error {
  /** The message without its hint line. */
  reason: string;

  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(`${message}\n  hint: ${hint}`);
    this.name = new.target.name;
    this.reason = message;
  }

  /** Puts `where` (a file or folder) in front of the message, unless it already names it; returns the error. */
  locate(where: string): this {
    if (!this.reason.includes(where)) {
      this.reason = `${where}: ${this.reason}`;
      this.message = `${where}: ${this.message}`;
    }
    return this;
  }
}

const SAFETENSORS_HINT = 'the file is truncated, damaged or not a safetensors file: write it again, or fetch it again from its source';
const ADAPTER_HINT = 'pass a PEFT LoRA adapter folder (adapter_config.json + adapter_model.safetensors, as PEFT save_pretrained writes them)';
const LAYOUT_HINT = 'adapters of one library must share base model, target modules and rank: move the odd adapter out';

/** A safetensors file is malformed; `tensor` names the entry at fault when there is one. */
export class SafetensorsError extends LoraIoError {
  constructor(
    message: string,
    readonly tensor?: string,
    hint = SAFETENSORS_HINT,
  ) {
    super(tensor ? `${message} (tensor '${tensor}')` : message, hint);
  }
}

/** A PEFT adapter folder or file is malformed or uses a feature that cannot be read safely. */
export class AdapterFormatError extends LoraIoError {
  constructor(message: string, hint = ADAPTER_HINT) {
    super(message, hint);
  }
}

/** Adapters that should share one layout (modules, shapes, ranks) do not. */
export class AdapterLayoutError extends LoraIoError {
  constructor(message: string, hint = LAYOUT_HINT) {
    super(message, hint);
  }
}

/** Runs `read` and puts `where` in front of the message of any lora-io error it throws. */
export async function locatedErrors<T>(where: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (e) {
    throw e instanceof LoraIoError ? e.locate(where) : e;
  }
}
