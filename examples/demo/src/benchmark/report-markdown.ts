// results.md: our table beside the paper's, and the paper's claims checked against our numbers.
import { checkClaims, PAPER_IN_DISTRIBUTION, PAPER_SOURCES, PAPER_ZERO_SHOT, type ClaimStatus } from './paper-claims';
import type { LibraryResults, MeanStd } from './summary';

const cell = (v: MeanStd | null): string => (v ? `${v.mean.toFixed(1)} ± ${v.std.toFixed(1)}` : '-');
const paper = (v: number | undefined): string => (v === undefined ? '-' : v.toFixed(1));
const HOLDS: Record<ClaimStatus, string> = { met: 'yes', 'not met': '**no**', 'not measurable': '**not measurable**' };

/** The chart of one library's results, beside results.md. */
export const chartFile = (library: string): string => `results-${library}.svg`;

/** Renders the report, a section per library; `notes` are extra paragraphs (what the setup is, what was tried). */
export function resultsMarkdown(libraries: readonly LibraryResults[], notes: readonly string[]): string {
  return [
    '# LoRAGen paper benchmark, reproduced at laptop scale',
    '',
    ...libraries.flatMap(librarySection),
    ...notes.flatMap((n) => [n, '']),
  ].join('\n');
}

function librarySection(results: LibraryResults): string[] {
  return [
    `## Library \`${results.name}\``,
    '',
    `\`loragen analyze\` on the whole library: correlation of description similarity with dW similarity ` +
      `${results.analyze.correlation.deltaW.toFixed(2)}, with raw-factor similarity ${results.analyze.correlation.factors.toFixed(2)} ` +
      '(over task pairs; the paper\'s zero-shot premise needs the first high and says the second is low).',
    '',
    `Accuracy in percent, mean ± std over ${results.seeds} seeds; ${results.tasks.inDistribution} in-distribution tasks ` +
      `(held-out examples), ${results.tasks.zeroShot} zero-shot tasks (held out of LoRAGen's training). ` +
      `Backend ${results.backend}, ${results.seconds} s in total on ${results.machine}; budget ` +
      `${results.budget.autoencoderSteps} autoencoder / ${results.budget.diffusionSteps} diffusion steps.`,
    '',
    '| method | in-distribution (ours) | in-distribution, held-out wordings (ours) | zero-shot (ours) | paper, FLAN-T5-large in-distribution | paper, zero-shot | paper row |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...results.rows.map(
      (r) =>
        `| \`${r.method}\` | ${cell(r.inDistribution)} | ${cell(r.inDistributionNewWording)} | ${cell(r.zeroShot)} | ${paper(PAPER_IN_DISTRIBUTION[r.method])} | ${paper(PAPER_ZERO_SHOT[r.method])} | ${PAPER_SOURCES[r.method] ?? ''} |`,
    ),
    '',
    ...(results.oracleSpan
      ? [
          `\`oracle-span\` is an upper bound, not a competitor: the combination of the training library's updates closest ` +
            `to each task's own update (it peeks at the answer); on the zero-shot tasks it recovers ` +
            `${(100 * results.oracleSpan.meanRecovery).toFixed(1)}% of their task LoRAs' gain over base. \`task-lora\` ` +
            'zero-shot is each zero-shot task\'s own LoRA, the ceiling.',
          '',
        ]
      : []),
    `### Where quality is lost on \`${results.name}\` (in-distribution tasks, mean over seeds)`,
    '',
    'Task LoRA, then the autoencoder\'s round trip of it (decode of the posterior mean), then the generated adapter; ' +
      'retrieval: share of generated latents nearest their own task\'s latent; latent error: distance to it relative ' +
      'to the library\'s spread.',
    '',
    '| method | task LoRA | autoencoder round trip | generated | retrieval rate | latent error |',
    '| --- | --- | --- | --- | --- | --- |',
    ...results.ledger.map(
      (l) =>
        `| \`${l.method}\` | ${l.taskLora.toFixed(1)} | ${l.autoencoderRoundTrip.toFixed(1)} | ${l.generated.toFixed(1)} | ${(100 * l.retrievalRate).toFixed(0)}% | ${l.latentError.toFixed(3)} |`,
    ),
    '',
    `### The paper's claims on \`${results.name}\`, and one of ours`,
    '',
    '| claim | whose | measured | target | holds here |',
    '| --- | --- | --- | --- | --- |',
    ...checkClaims(results).map((c) => `| ${c.claim} | ${c.source} | ${c.measured} | ${c.target} | ${HOLDS[c.status]} |`),
    '',
    `![accuracy by method on ${results.name}](${chartFile(results.name)})`,
    '',
  ];
}
