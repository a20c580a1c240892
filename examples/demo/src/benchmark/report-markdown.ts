// results.md: our table beside the paper's, and the paper's claims checked against our numbers.
import { checkClaims, PAPER_IN_DISTRIBUTION, PAPER_SOURCES, PAPER_ZERO_SHOT, type ClaimStatus } from './paper-claims';
import type { LibraryResults, MeanStd } from './summary';
import { confidenceOf, WORKS_MARGIN, type ConfidenceSummary, type SignalName } from './confidence-summary';

const SIGNAL_NAMES: SignalName[] = ['retrieval', 'fidelity', 'agreement', 'novelty', 'offLibrary'];

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
    ...confidenceSection(libraries),
    ...notes.flatMap((n) => [n, '']),
  ].join('\n');
}

const figure = (x: number): string => (Number.isFinite(x) ? x.toFixed(2) : '-');
const confidenceRow = (label: string, c: Omit<ConfidenceSummary, 'points'>) =>
  `| ${label} | ${c.cases} (${c.working} work) | ${figure(c.spearman)} | ${figure(c.auroc)} | ${c.medoidGain >= 0 ? '+' : ''}${c.medoidGain.toFixed(1)} |`;

/** Whether `loragen`'s confidence score predicts quality: per library and over all of them (the targets: 0.5, 0.75). */
function confidenceSection(libraries: readonly LibraryResults[]): string[] {
  const measured = libraries.filter((l) => l.confidence);
  if (measured.length === 0) return [];
  const pooled = confidenceOf(measured.flatMap((l) => l.confidence!.points));
  return [
    '## Confidence of generated adapters',
    '',
    `\`loragen\`'s confidence score (\`generate(description, { samples: 8 })\`; retrieval x fidelity, see @loragen/core's GenerationConfidence) against ` +
      'the quality of the adapter the tables report, over every evaluated case (training tasks by their descriptions and by each ' +
      `held-out wording, zero-shot tasks) and seed. Spearman: with the share of the task LoRA's gain over base achieved; AUROC: for ` +
      `"beats base by at least ${WORKS_MARGIN} points"; medoid: accuracy of the sample that agrees most with the other 7, minus one sample's (points). Targets: Spearman >= 0.5, AUROC >= 0.75.`,
    '',
    '| cases | count | Spearman | AUROC | medoid gain |',
    '| --- | --- | --- | --- | --- |',
    ...measured.map((l) => confidenceRow(`\`${l.name}\``, l.confidence!)),
    ...(pooled && measured.length > 1 ? [confidenceRow('all libraries', pooled)] : []),
    '',
    'Each part of the score alone (Spearman / AUROC; novelty and off-library share negated, so that higher should mean better):',
    '',
    `| cases | ${SIGNAL_NAMES.join(' | ')} |`,
    `| --- | ${SIGNAL_NAMES.map(() => '---').join(' | ')} |`,
    ...[
      ...measured.map((l) => [`\`${l.name}\``, l.confidence!] as const),
      ...(pooled && measured.length > 1 ? [['all libraries', pooled] as const] : []),
    ].map(
      ([label, c]) =>
        `| ${label} | ${SIGNAL_NAMES.map((n) => (c.signals[n] ? `${figure(c.signals[n].spearman)} / ${figure(c.signals[n].auroc)}` : '–')).join(' | ')} |`,
    ),
    '',
  ];
}

function librarySection(results: LibraryResults): string[] {
  return [
    `## Library \`${results.name}\``,
    '',
    `\`loragen analyze\` on the whole library: correlation of description similarity with dW similarity ` +
      `${results.analyze.correlation.deltaW.toFixed(2)}, with raw-factor similarity ${results.analyze.correlation.factors.toFixed(2)} ` +
      "(over task pairs; the paper's zero-shot premise needs the first high and says the second is low).",
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
            "zero-shot is each zero-shot task's own LoRA, the ceiling.",
          '',
        ]
      : []),
    `### Where quality is lost on \`${results.name}\` (in-distribution tasks, mean over seeds)`,
    '',
    "Task LoRA, then the autoencoder's round trip of it (decode of the posterior mean), then the generated adapter; " +
      "retrieval: share of generated latents nearest their own task's latent; latent error: distance to it relative " +
      "to the library's spread.",
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
