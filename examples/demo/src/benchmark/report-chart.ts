// results.svg: grouped bars (in-distribution, zero-shot) per method with ±std whiskers. Hand-written SVG, no dependency.
import type { PaperResults } from './summary';

const WIDTH = 860;
const HEIGHT = 360;
const MARGIN = { left: 50, right: 20, top: 30, bottom: 110 };
const COLOURS = { inDistribution: '#3b6fb6', zeroShot: '#e0873a' };

const escape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

export function resultsChart(results: PaperResults): string {
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const y = (percent: number) => MARGIN.top + plotH * (1 - percent / 100);
  const group = plotW / results.rows.length;
  const bar = group * 0.35;
  const parts: string[] = [];
  for (let tick = 0; tick <= 100; tick += 20) {
    parts.push(`<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y(tick)}" y2="${y(tick)}" stroke="#ddd"/>`);
    parts.push(`<text x="${MARGIN.left - 6}" y="${y(tick) + 4}" text-anchor="end" font-size="11">${tick}</text>`);
  }
  results.rows.forEach((r, i) => {
    const x0 = MARGIN.left + i * group + group * 0.15;
    const series = [
      { v: r.inDistribution, colour: COLOURS.inDistribution, x: x0 },
      { v: r.zeroShot, colour: COLOURS.zeroShot, x: x0 + bar },
    ];
    for (const s of series) {
      if (!s.v) continue;
      parts.push(`<rect x="${s.x.toFixed(1)}" y="${y(s.v.mean).toFixed(1)}" width="${bar.toFixed(1)}" height="${(y(0) - y(s.v.mean)).toFixed(1)}" fill="${s.colour}"><title>${s.v.mean} ± ${s.v.std}</title></rect>`);
      const cx = (s.x + bar / 2).toFixed(1);
      parts.push(`<line x1="${cx}" x2="${cx}" y1="${y(Math.min(100, s.v.mean + s.v.std)).toFixed(1)}" y2="${y(Math.max(0, s.v.mean - s.v.std)).toFixed(1)}" stroke="#222"/>`);
    }
    const lx = x0 + bar;
    parts.push(`<text transform="translate(${lx.toFixed(1)},${HEIGHT - MARGIN.bottom + 12}) rotate(35)" font-size="12">${escape(r.method)}</text>`);
  });
  const legend = [
    ['in-distribution', COLOURS.inDistribution],
    ['zero-shot', COLOURS.zeroShot],
  ].map(([label, colour], i) => `<rect x="${MARGIN.left + i * 140}" y="8" width="12" height="12" fill="${colour}"/><text x="${MARGIN.left + i * 140 + 18}" y="18" font-size="12">${label}</text>`);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...legend,
    ...parts,
    `<text x="14" y="${MARGIN.top + plotH / 2}" transform="rotate(-90 14 ${MARGIN.top + plotH / 2})" text-anchor="middle" font-size="12">accuracy (%)</text>`,
    '</svg>',
    '',
  ].join('\n');
}
