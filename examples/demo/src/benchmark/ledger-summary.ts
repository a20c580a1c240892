// The quality ledger of results.json: for each LoRAGen variant, where quality is lost between the task LoRAs
// and the generated adapters, averaged over the in-distribution tasks and then over seeds.
import type { SeedResult } from './experiment';
import type { LoraGenVariant } from './methods';

export interface LedgerRow {
  method: LoraGenVariant;
  /** Accuracy (percent) of the task LoRAs themselves. */
  taskLora: number;
  /** Accuracy of the decoded posterior mean of each task's own adapter: what stage 1 keeps. */
  autoencoderRoundTrip: number;
  /** Accuracy of the adapter generated from the task's training descriptions. */
  generated: number;
  /** Share (0-1) of generated latents nearer their own task's latent than any other library task's. */
  retrievalRate: number;
  /** Distance of the generated latent from its task's, relative to the library's spread (0 = exact). */
  latentError: number;
}

const round = (x: number, digits = 2): number => Math.round(x * 10 ** digits) / 10 ** digits;
const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Mean over `ids` of one seed's per-task values; throws naming what is missing. */
function over(values: ReadonlyMap<string, number> | undefined, ids: readonly string[], what: string): number {
  const missing = ids.filter((id) => !values?.has(id));
  if (missing.length > 0)
    throw new RangeError(`the ledger lacks ${what} for ${missing.length} of ${ids.length} tasks (${missing.slice(0, 3).join(', ')}...)`);
  return mean(ids.map((id) => values!.get(id)!));
}

/** One row per LoRAGen variant that every seed ran; needs `task-lora` in every seed. */
export function summariseLedger(seeds: readonly SeedResult[], inDistribution: readonly string[]): LedgerRow[] {
  const variants = [...(seeds[0]?.ledger.keys() ?? [])];
  return variants.map((method) => {
    const perSeed = (pick: (s: SeedResult) => ReadonlyMap<string, number> | undefined, what: string) =>
      mean(seeds.map((s) => over(pick(s), inDistribution, `${method} ${what}`)));
    return {
      method,
      taskLora: round(perSeed((s) => s.accuracies.get('task-lora'), 'task-lora accuracies')),
      autoencoderRoundTrip: round(perSeed((s) => s.ledger.get(method)?.roundTrip, 'round trips')),
      generated: round(perSeed((s) => s.accuracies.get(method), 'generated accuracies')),
      retrievalRate: round(
        perSeed((s) => s.ledger.get(method)?.retrieved, 'retrievals'),
        3,
      ),
      latentError: round(
        perSeed((s) => s.ledger.get(method)?.latentError, 'latent errors'),
        3,
      ),
    };
  });
}
