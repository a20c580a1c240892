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

/** A plain-text table for a terminal: a header, a rule, then the rows, columns padded to their widest cell. */
export function textTable(head: readonly string[], rows: readonly string[][]): string {
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((x, c) => x.padEnd(widths[c]))
      .join('  ')
      .trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
