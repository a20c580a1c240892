import { rmSync } from 'node:fs';
import { EXIT } from './exit-codes';

// Ctrl-C (SIGINT) and SIGTERM: the first one aborts the command's AbortSignal, so it stops at its next check,
// removes what it had half-written and exits 130 / 143 (train saves a checkpoint first). A second one exits at
// once, removing the temporary files and folders still registered, so even then nothing half-written is left.

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

export class Interrupts {
  private readonly controller = new AbortController();
  private readonly temporaries = new Set<string>();
  private received?: NodeJS.Signals;
  private listening = false;
  private note = '';

  constructor(
    private readonly stderr: { write(text: string): unknown },
    private readonly exit: (code: number) => void = (code) => process.exit(code),
  ) {}

  /** The signal that stopped the command, if one did. */
  get stoppedBy(): NodeJS.Signals | undefined {
    return this.received;
  }

  /** Starts handling SIGINT and SIGTERM (until {@link dispose}); `note` is printed on the first one. */
  listen(note: string): AbortSignal {
    if (!this.listening) {
      this.listening = true;
      this.note = note;
      for (const s of SIGNALS) process.on(s, this.onSignal);
    }
    return this.controller.signal;
  }

  /** Registers a temporary path to remove if a second signal forces the exit; the returned function unregisters it. */
  track(path: string): () => void {
    this.temporaries.add(path);
    return () => void this.temporaries.delete(path);
  }

  dispose(): void {
    if (this.listening) for (const s of SIGNALS) process.off(s, this.onSignal);
    this.listening = false;
  }

  private readonly onSignal = (signal: NodeJS.Signals): void => {
    if (this.received) {
      for (const path of this.temporaries) rmSync(path, { recursive: true, force: true });
      this.exit(signal === 'SIGTERM' ? EXIT.terminated : EXIT.interrupted);
      return;
    }
    this.received = signal;
    this.stderr.write(`\n${signal === 'SIGTERM' ? 'terminated' : 'interrupted'}: ${this.note}\n`);
    this.controller.abort(signal);
  };
}
