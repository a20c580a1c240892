import { escapeXml, groupedBarSvg } from '../src';

describe('escapeXml', () => {
  it('escapes the five XML specials, & first', () => {
    expect(escapeXml(`a<b>&"c"'d'`)).toBe('a&lt;b&gt;&amp;&quot;c&quot;&#39;d&#39;');
    expect(escapeXml('&lt;')).toBe('&amp;lt;');
  });
});

describe('groupedBarSvg', () => {
  const chart = groupedBarSvg({
    series: [
      { label: 'in-distribution', colour: '#3b6fb6' },
      { label: 'zero-shot <new>', colour: '#e0873a' },
    ],
    groups: [
      {
        label: 'base',
        values: [
          { mean: 50, std: 2 },
          { mean: 40, std: 60 },
        ],
      },
      { label: 'a > b & "c"', values: [{ mean: 80, std: 1 }, null] },
    ],
    yLabel: 'accuracy (%)',
  });

  it('draws a bar and a whisker per value, none for a missing one, with the value in a tooltip', () => {
    expect(chart.match(/<rect x=[^/]*fill="#(3b6fb6|e0873a)"><title>/g)).toHaveLength(3);
    expect(chart).toContain('<title>40 ± 60</title>');
    // plot height 220 from y = 30: 50% at y 140; the whisker of 40 +- 60 is clipped to 0..100 (y 250..30)
    expect(chart).toContain('y="140.0" width="');
    expect(chart).toMatch(/<line x1="[\d.]+" x2="[\d.]+" y1="30.0" y2="250.0" stroke="#222"\/>/);
    expect(chart.match(/stroke="#ddd"/g)).toHaveLength(6);
  });

  it('escapes every label, and is well-formed XML text', () => {
    expect(chart).toContain('>a &gt; b &amp; &quot;c&quot;</text>');
    expect(chart).toContain('>zero-shot &lt;new&gt;</text>');
    const text = chart.replace(/<[^>]*>/g, '');
    expect(text).not.toMatch(/[<>]|&(?!(amp|lt|gt|quot|#39);)/);
    expect(chart.startsWith('<svg xmlns="http://www.w3.org/2000/svg" width="860" height="360"')).toBe(true);
    expect(chart.endsWith('</svg>\n')).toBe(true);
  });
});
