// A dependency-free progress bar for the command-line programs: redrawn in place on a terminal,
// one line per tenth of the work otherwise (CI logs stay short).
const WIDTH = 24;

export interface ProgressBar {
  /** Sets the amount done (0..total) and an optional note shown after the bar. */
  update(done: number, note?: string): void;
  /** Completes the bar and ends its line. */
  finish(note?: string): void;
}

const format = (seconds: number): string => (seconds >= 60 ? `${Math.floor(seconds / 60)}m${Math.round(seconds % 60)}s` : `${seconds.toFixed(0)}s`);

/** A bar titled `title` for `total` units of work, written to stderr. */
export function progressBar(title: string, total: number, stream: NodeJS.WriteStream = process.stderr): ProgressBar {
  const started = Date.now();
  let lastTenth = -1;
  const line = (done: number, note: string): string => {
    const fraction = total > 0 ? Math.min(1, done / total) : 1;
    const filled = Math.round(fraction * WIDTH);
    const elapsed = (Date.now() - started) / 1000;
    const eta = fraction > 0 && fraction < 1 ? ` eta ${format((elapsed * (1 - fraction)) / fraction)}` : '';
    return `${title} [${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${done}/${total} ${format(elapsed)}${eta} ${note}`;
  };
  return {
    update(done, note = '') {
      if (stream.isTTY) stream.write(`\r${line(done, note)}\x1b[K`);
      else {
        const tenth = Math.floor((10 * done) / Math.max(total, 1));
        if (tenth > lastTenth) stream.write(`${line(done, note)}\n`);
        lastTenth = Math.max(lastTenth, tenth);
      }
    },
    finish(note = '') {
      stream.write(`${stream.isTTY ? '\r' : ''}${line(total, note)}${stream.isTTY ? '\x1b[K' : ''}\n`);
    },
  };
}
