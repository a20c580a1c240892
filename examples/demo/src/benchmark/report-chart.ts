// results-<library>.svg: accuracy per method, in-distribution and zero-shot bars with ±std whiskers, drawn by
// core's grouped bar chart.
import { groupedBarSvg } from '@loragen/core';
import type { PaperResults } from './summary';

const SERIES = [
  { label: 'in-distribution', colour: '#3b6fb6' },
  { label: 'zero-shot', colour: '#e0873a' },
];

export function resultsChart(results: Pick<PaperResults, 'rows'>): string {
  return groupedBarSvg({
    series: SERIES,
    groups: results.rows.map((r) => ({ label: r.method, values: [r.inDistribution, r.zeroShot] })),
    yLabel: 'accuracy (%)',
  });
}
