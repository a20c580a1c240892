import type { Interrupts } from './interrupt';

/** Where a command writes: results to stdout (JSON with --json), messages and progress to stderr. */
export interface CliIO {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  json: boolean;
  /** SIGINT / SIGTERM handling, for commands that write or run long: `interrupts.listen(note)` gives an AbortSignal. */
  interrupts: Interrupts;
}

export function printResult(io: CliIO, value: unknown, human: string): void {
  io.stdout.write(io.json ? `${JSON.stringify(value, null, 2)}\n` : `${human}\n`);
}
