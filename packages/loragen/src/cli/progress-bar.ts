/** Seconds as `1h02m`, `3m05s` or `42s`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

interface Stream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/**
 * A progress bar with ETA on stderr. On a terminal it redraws one line (at most 10 times a second); otherwise
 * (logs, CI) it prints a plain line every 10% so logs stay readable. {@link ProgressBar.finish} ends it with a
 * last line (and a closing note, say the final loss); a bar whose update reached the total ends its line too.
 */
export class ProgressBar {
  private readonly started: number;
  private lastDraw = 0;
  private lastDecile = -1;
  /** Whether the bar's line at the total has been written (an update reached it, or finish ran). */
  private ended = false;
  private finished = false;

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly stream: Stream = process.stderr,
    private readonly now: () => number = Date.now,
  ) {
    this.started = now();
  }

  /** The line for `done` of `total` steps. */
  render(done: number, detail = ''): string {
    const frac = this.total > 0 ? Math.min(1, done / this.total) : 1;
    const width = 24;
    const filled = Math.round(frac * width);
    const elapsed = (this.now() - this.started) / 1000;
    const eta = done > 0 ? (elapsed / done) * Math.max(0, this.total - done) : Infinity;
    const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
    return `${this.label} [${bar}] ${done}/${this.total} ${(frac * 100).toFixed(0)}% elapsed ${formatDuration(elapsed)} ETA ${formatDuration(eta)}${detail ? ` ${detail}` : ''}`;
  }

  update(done: number, detail = ''): void {
    if (this.ended) return;
    const complete = done >= this.total;
    if (this.stream.isTTY) {
      const t = this.now();
      if (t - this.lastDraw < 100 && !complete) return;
      this.lastDraw = t;
      this.stream.write(`\r${this.render(done, detail)}\x1b[K`);
      if (complete) this.end();
      return;
    }
    const decile = this.total > 0 ? Math.floor((done / this.total) * 10) : 10;
    if (decile > this.lastDecile) {
      this.lastDecile = decile;
      this.stream.write(`${this.render(done, detail)}\n`);
      if (complete) this.ended = true;
    }
  }

  /**
   * Ends the bar: writes its line at the total with `detail` (on a terminal, over the line being redrawn), unless
   * an update already wrote the final line and there is no detail to add. Later updates and finishes do nothing.
   */
  finish(detail = ''): void {
    if (this.finished) return;
    this.finished = true;
    if (this.ended && !detail) return;
    if (this.ended || !this.stream.isTTY) this.stream.write(`${this.render(this.total, detail)}\n`);
    else {
      this.stream.write(`\r${this.render(this.total, detail)}\x1b[K`);
      this.end();
    }
    this.ended = true;
  }

  private end(): void {
    this.stream.write('\n');
    this.ended = true;
  }
}
