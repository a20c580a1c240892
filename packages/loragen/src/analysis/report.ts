import type { LibraryObservations } from './observations';
import { barSvg, scatterSvg } from './svg-charts';

/** The analysis as files: a Markdown report, its SVG charts and the raw numbers as JSON. */
export function analysisFiles(obs: LibraryObservations, libraryName: string): Record<string, string> {
  const d = obs.pairs.map((p) => p.description);
  const files: Record<string, string> = {
    'obs1-deltaw.svg': scatterSvg(
      'Obs-1: description vs dW similarity',
      'description cosine',
      'dW cosine (mean over modules)',
      d,
      obs.pairs.map((p) => p.deltaW),
    ),
    'obs1-factors.svg': scatterSvg(
      'Obs-1: description vs factor similarity',
      'description cosine',
      '[A;B] cosine (mean over modules)',
      d,
      obs.pairs.map((p) => p.factors),
    ),
    'obs2-entropy.svg': barSvg(
      'Obs-2: spectral entropy of dW by module type',
      'entropy (nats)',
      obs.entropyByModuleType.map((e) => ({ label: e.moduleType, value: e.mean, err: e.std })),
    ),
    'analysis.json': `${JSON.stringify(obs, null, 1)}\n`,
  };
  const rows = obs.entropyByModuleType.map((e) => `| ${e.moduleType} | ${e.mean.toFixed(4)} | ${e.std.toFixed(4)} | ${e.count} |`);
  files['report.md'] = [
    `# LoRAGen analysis of ${libraryName}`,
    '',
    `${obs.pairs.length} task pairs, ${obs.entropyByModuleType.length} module types.`,
    '',
    '## Observation 1: non-uniqueness',
    '',
    'Pearson correlation, over task pairs, of the similarity of their descriptions (hashed n-grams, cosine) with:',
    '',
    '| compared on | correlation |',
    '| --- | --- |',
    `| dW = scaling B A (gauge invariant) | ${obs.correlation.deltaW.toFixed(4)} |`,
    `| raw factors [A; B] | ${obs.correlation.factors.toFixed(4)} |`,
    '',
    'The paper finds the first clearly positive and the second near zero: factors carry an arbitrary gauge.',
    '',
    '![dW](obs1-deltaw.svg) ![factors](obs1-factors.svg)',
    '',
    '## Observation 2: heterogeneity',
    '',
    'Spectral entropy of dW (entropy of sigma_i^2 / sum sigma_j^2, nats) per module type, over tasks x layers:',
    '',
    '| module type | mean | std | positions |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
    '![entropy](obs2-entropy.svg)',
    '',
  ].join('\n');
  return files;
}
