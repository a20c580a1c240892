// Small, dependency-free SVG charts: the analysis report's scatter and bar charts, and the grouped bar chart of a
// benchmark's results (methods x splits, mean with a +-std whisker).

const W = 420;
const H = 300;
const PAD = 48;

/** `text` made safe for SVG/XML text content and quoted attribute values: `&`, `<`, `>`, `"` and `'` escaped. */
export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const esc = escapeXml;

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

/** One bar's value: its height and the half-length of its whisker. */
export interface BarValue {
  mean: number;
  std: number;
}

/** What {@link groupedBarSvg} draws. */
export interface GroupedBarChart {
  /** The bars of every group, in order: a name for the legend and a fill colour (`#rrggbb` or any SVG colour). */
  series: ReadonlyArray<{ label: string; colour: string }>;
  /** Groups along the x axis, each with a label and one value per series (`null` or absent: no bar). */
  groups: ReadonlyArray<{ label: string; values: ReadonlyArray<BarValue | null | undefined> }>;
  /** Label of the y axis. */
  yLabel: string;
  /** Top of the y axis (the bottom is 0); whiskers are clipped to [0, yMax]. @default 100 */
  yMax?: number;
  /** Distance between horizontal grid lines. @default 20 */
  yStep?: number;
  /** @default 860 */
  width?: number;
  /** @default 360 */
  height?: number;
}

const GROUPED_MARGIN = { left: 50, right: 20, top: 30, bottom: 110 };

/**
 * A grouped bar chart with mean +- std whiskers (a benchmark's accuracy per method and split, say): a legend of the
 * series on top, grid lines with their values on the left, group labels slanted below. Every label is escaped.
 */
export function groupedBarSvg(chart: GroupedBarChart): string {
  const { series, groups, yLabel, yMax = 100, yStep = 20, width = 860, height = 360 } = chart;
  const margin = GROUPED_MARGIN;
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const y = (value: number) => margin.top + plotH * (1 - value / yMax);
  const group = plotW / Math.max(1, groups.length);
  const bar = (group * 0.7) / Math.max(1, series.length);
  const parts: string[] = [];
  for (let tick = 0; tick <= yMax; tick += yStep) {
    parts.push(`<line x1="${margin.left}" x2="${width - margin.right}" y1="${y(tick)}" y2="${y(tick)}" stroke="#ddd"/>`);
    parts.push(`<text x="${margin.left - 6}" y="${y(tick) + 4}" text-anchor="end" font-size="11">${tick}</text>`);
  }
  groups.forEach((g, i) => {
    const x0 = margin.left + i * group + group * 0.15;
    series.forEach((s, k) => {
      const v = g.values[k];
      if (!v) return;
      const x = x0 + k * bar;
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${y(v.mean).toFixed(1)}" width="${bar.toFixed(1)}" height="${(y(0) - y(v.mean)).toFixed(1)}" fill="${esc(s.colour)}"><title>${v.mean} ± ${v.std}</title></rect>`,
      );
      const cx = (x + bar / 2).toFixed(1);
      parts.push(
        `<line x1="${cx}" x2="${cx}" y1="${y(Math.min(yMax, v.mean + v.std)).toFixed(1)}" y2="${y(Math.max(0, v.mean - v.std)).toFixed(1)}" stroke="#222"/>`,
      );
    });
    const lx = x0 + (bar * series.length) / 2;
    parts.push(`<text transform="translate(${lx.toFixed(1)},${height - margin.bottom + 12}) rotate(35)" font-size="12">${esc(g.label)}</text>`);
  });
  const legend = series.map(
    (s, i) =>
      `<rect x="${margin.left + i * 140}" y="8" width="12" height="12" fill="${esc(s.colour)}"/><text x="${margin.left + i * 140 + 18}" y="18" font-size="12">${esc(s.label)}</text>`,
  );
  const mid = margin.top + plotH / 2;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...legend,
    ...parts,
    `<text x="14" y="${mid}" transform="rotate(-90 14 ${mid})" text-anchor="middle" font-size="12">${esc(yLabel)}</text>`,
    '</svg>',
    '',
  ].join('\n');
}
