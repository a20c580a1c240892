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
 * (logs, CI) it prints a plain line every 10% so logs stay readable.
 */
export class ProgressBar {
  private readonly started = Date.now();
  private lastDraw = 0;
  private lastDecile = -1;

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly stream: Stream = process.stderr,
    private readonly now: () => number = Date.now,
  ) {}

  /** The line for `done` of `total` steps. */
  render(done: number, detail = ''): string {
    const frac = this.total > 0 ? Math.min(1, done / this.total) : 1;
    const width = 24;
    const filled = Math.round(frac * width);
    const elapsed = (this.now() - this.started) / 1000;
    const eta = done > 0 ? (elapsed / done) * (this.total - done) : Infinity;
    const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
    return `${this.label} [${bar}] ${done}/${this.total} ${(frac * 100).toFixed(0)}% elapsed ${formatDuration(elapsed)} ETA ${formatDuration(eta)}${detail ? ` ${detail}` : ''}`;
  }

  update(done: number, detail = ''): void {
    if (this.stream.isTTY) {
      const t = this.now();
      if (t - this.lastDraw < 100 && done < this.total) return;
      this.lastDraw = t;
      this.stream.write(`\r${this.render(done, detail)}\x1b[K`);
      if (done >= this.total) this.stream.write('\n');
      return;
    }
    const decile = Math.floor((done / this.total) * 10);
    if (decile > this.lastDecile) {
      this.lastDecile = decile;
      this.stream.write(`${this.render(done, detail)}\n`);
    }
  }
}
