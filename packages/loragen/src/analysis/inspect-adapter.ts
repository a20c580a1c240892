import type { LoraAdapter, LoraModule } from '@loragen/lora-io';
import { lowRankNormFloat64, lowRankSingularValuesFloat64, spectralEntropyOfValues } from '@loragen/weight-space';

/** One module of `loragen inspect --json` (exactly these fields). */
export interface ModuleReport extends Pick<LoraModule, 'name' | 'rank' | 'alpha' | 'scaling' | 'dIn' | 'dOut'> {
  /** |scaling * B A|_F */
  deltaNorm: number;
  /** The largest singular values of scaling * B A, descending. */
  topSingularValues: number[];
}

/** Facts of every module's dW, computed from the factors (float64, never forming dW). */
export function inspectAdapter(adapter: LoraAdapter, top = 8): { modules: ModuleReport[]; entropies: number[] } {
  const entropies: number[] = [];
  const modules = adapter.modules.map((m) => {
    const sv = lowRankSingularValuesFloat64(m);
    entropies.push(spectralEntropyOfValues(sv));
    return {
      name: m.name,
      rank: m.rank,
      alpha: m.alpha,
      scaling: m.scaling,
      dIn: m.dIn,
      dOut: m.dOut,
      deltaNorm: lowRankNormFloat64(m),
      topSingularValues: Array.from(sv.subarray(0, Math.min(top, sv.length))),
    };
  });
  return { modules, entropies };
}
