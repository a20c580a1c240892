// Does `loragen`'s confidence score predict its adapters' quality? Over every evaluated case of a library (training
// tasks by their descriptions and by each held-out wording, zero-shot tasks) and seed: Spearman's correlation of
// the score with the share of the task LoRA's gain over base the adapter achieves, the AUROC of the score for
// "beats base by at least 10 points", and what returning the medoid of the samples gains over one sample.
import { auroc, spearman } from '@loragen/core';
import type { SeedResult } from './experiment';

/** Points over base an adapter must add to count as working (the AUROC's positive class). */
export const WORKS_MARGIN = 10;

/**
 * A case as kept in results.json: [score, adapter accuracy - base, task LoRA accuracy - base, medoid - adapter
 * (accuracies in points), agreement, novelty, offLibrary, retrieval, fidelity (null for a model without it)].
 * Results written before retrieval and fidelity existed hold the first seven.
 */
export type ConfidencePoint = [number, number, number, number, number, number, number, number?, (number | null)?];

/** The score's parts, each oriented so that higher should mean a better adapter, judged like the score. */
const SIGNALS = {
  agreement: (p: ConfidencePoint) => p[4],
  novelty: (p: ConfidencePoint) => -p[5],
  offLibrary: (p: ConfidencePoint) => -p[6],
  retrieval: (p: ConfidencePoint) => p[7] ?? NaN,
  fidelity: (p: ConfidencePoint) => p[8] ?? NaN,
} as const;

export type SignalName = keyof typeof SIGNALS;

export interface ConfidenceSummary {
  spearman: number;
  auroc: number;
  /** Mean accuracy of the medoid of the samples minus that of one sample, in points. */
  medoidGain: number;
  /** The same Spearman and AUROC for each part of the score alone (novelty and offLibrary negated); those the cases lack are left out. */
  signals: Partial<Record<SignalName, { spearman: number; auroc: number }>>;
  /** Cases (all seeds) and how many of them beat base by {@link WORKS_MARGIN}. */
  cases: number;
  working: number;
  points: ConfidencePoint[];
}

const round4 = (x: number) => Math.round(x * 1e4) / 1e4;

/** The summary of `points` (from one library, or pooled), or null with none. */
export function confidenceOf(points: readonly ConfidencePoint[]): Omit<ConfidenceSummary, 'points'> | null {
  if (points.length === 0) return null;
  // the share of the gain is undefined where the task LoRA does not beat base by a point
  const measurable = points.filter(([, , taskGain]) => taskGain >= 1);
  const share = measurable.map(([, gain, taskGain]) => gain / taskGain);
  const works = points.map(([, gain]) => gain >= WORKS_MARGIN);
  const judge = (signal: (p: ConfidencePoint) => number) => ({
    spearman: round4(spearman(measurable.map(signal), share)),
    auroc: round4(auroc(points.map(signal), works)),
  });
  return {
    ...judge((p) => p[0]),
    signals: Object.fromEntries(
      Object.entries(SIGNALS)
        .filter(([, signal]) => points.every((p) => Number.isFinite(signal(p))))
        .map(([name, signal]) => [name, judge(signal)]),
    ),
    medoidGain: round4(points.reduce((s, p) => s + p[3], 0) / points.length),
    cases: points.length,
    working: works.filter(Boolean).length,
  };
}

/** The confidence summary of a library's seeds, or null when `loragen` recorded none. */
export function summariseConfidence(seeds: readonly SeedResult[]): ConfidenceSummary | null {
  const points: ConfidencePoint[] = seeds.flatMap((seed) =>
    [...(seed.confidence?.values() ?? [])].map((c): ConfidencePoint => [
      round4(c.score),
      round4(c.single - c.base),
      round4(c.taskLora - c.base),
      round4(c.medoid - c.single),
      round4(c.agreement),
      round4(c.novelty),
      round4(c.offLibrary),
      round4(c.retrieval ?? NaN), // NaN (null in JSON): a unit recorded before retrieval and fidelity existed
      c.fidelity == null ? null : round4(c.fidelity),
    ]),
  );
  const summary = confidenceOf(points);
  return summary ? { ...summary, points } : null;
}
