// Small, dependency-free SVG charts for the analysis report.

const W = 420;
const H = 300;
const PAD = 48;

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function frame(title: string, xLabel: string, yLabel: string, body: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">` +
    `<rect width="${W}" height="${H}" fill="white"/>` +
    `<text x="${W / 2}" y="16" text-anchor="middle" font-size="13">${esc(title)}</text>` +
    `<line x1="${PAD}" y1="${H - PAD}" x2="${W - 12}" y2="${H - PAD}" stroke="black"/>` +
    `<line x1="${PAD}" y1="28" x2="${PAD}" y2="${H - PAD}" stroke="black"/>` +
    `<text x="${(W + PAD) / 2}" y="${H - 12}" text-anchor="middle">${esc(xLabel)}</text>` +
    `<text x="14" y="${H / 2}" text-anchor="middle" transform="rotate(-90 14 ${H / 2})">${esc(yLabel)}</text>` +
    body +
    '</svg>\n'
  );
}

function range(xs: number[]): [number, number] {
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  return lo === hi ? [lo - 1, hi + 1] : [lo, hi];
}

/** A scatter plot with axis ranges written at the ends. */
export function scatterSvg(title: string, xLabel: string, yLabel: string, xs: number[], ys: number[]): string {
  const [x0, x1] = range(xs);
  const [y0, y1] = range(ys);
  const sx = (x: number) => PAD + ((x - x0) / (x1 - x0)) * (W - PAD - 20);
  const sy = (y: number) => H - PAD - ((y - y0) / (y1 - y0)) * (H - PAD - 36);
  const dots = xs.map((x, i) => `<circle cx="${sx(x).toFixed(1)}" cy="${sy(ys[i]).toFixed(1)}" r="3" fill="#3366cc" fill-opacity="0.6"/>`).join('');
  const ticks =
    `<text x="${PAD}" y="${H - PAD + 14}" text-anchor="middle">${x0.toFixed(2)}</text>` +
    `<text x="${W - 20}" y="${H - PAD + 14}" text-anchor="middle">${x1.toFixed(2)}</text>` +
    `<text x="${PAD - 4}" y="${H - PAD}" text-anchor="end">${y0.toFixed(2)}</text>` +
    `<text x="${PAD - 4}" y="40" text-anchor="end">${y1.toFixed(2)}</text>`;
  return frame(title, xLabel, yLabel, dots + ticks);
}

/** A bar chart with error bars (mean +- std). */
export function barSvg(title: string, yLabel: string, bars: { label: string; value: number; err: number }[]): string {
  const top = Math.max(...bars.map((b) => b.value + b.err), 1e-9);
  const slot = (W - PAD - 20) / bars.length;
  const sy = (y: number) => H - PAD - (y / top) * (H - PAD - 36);
  const body = bars
    .map((b, i) => {
      const x = PAD + i * slot + slot * 0.15;
      const w = slot * 0.7;
      const cx = x + w / 2;
      return (
        `<rect x="${x.toFixed(1)}" y="${sy(b.value).toFixed(1)}" width="${w.toFixed(1)}" height="${(H - PAD - sy(b.value)).toFixed(1)}" fill="#dc7633"/>` +
        `<line x1="${cx.toFixed(1)}" y1="${sy(b.value + b.err).toFixed(1)}" x2="${cx.toFixed(1)}" y2="${sy(Math.max(0, b.value - b.err)).toFixed(1)}" stroke="black"/>` +
        `<text x="${cx.toFixed(1)}" y="${H - PAD + 14}" text-anchor="middle" font-size="9">${esc(b.label)}</text>` +
        `<text x="${cx.toFixed(1)}" y="${(sy(b.value + b.err) - 4).toFixed(1)}" text-anchor="middle">${b.value.toFixed(2)}</text>`
      );
    })
    .join('');
  return frame(title, 'module type', yLabel, body);
}
