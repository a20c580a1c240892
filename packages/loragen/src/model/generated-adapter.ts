import type { LoraAdapter, LoraModule, PeftLoraConfig } from '@loragen/lora-io';
import type { FactorPair } from '@loragen/moe-decoder';
import type { LibraryLayout } from '../data/layout';

/** The PEFT config of generated adapters: the library's, minus what LoRAGen does not generate. */
export function generatedConfig(layout: LibraryLayout): PeftLoraConfig {
  return { ...layout.config, use_dora: false, modules_to_save: null, inference_mode: true };
}

/**
 * Decoded factors (per module type, [count, layers, ...], normalised as in training) -> one PEFT adapter per
 * sample with the library's module paths, rank and alpha. The normaliser and the PEFT scaling were folded into
 * B for training, so B is divided by the scaling the written config implies and multiplied by the normaliser:
 * scaling * B A then equals the generated dW.
 */
export async function factorsToAdapters(
  layout: LibraryLayout,
  normalisers: number[],
  factors: Record<string, FactorPair>,
  count: number,
): Promise<LoraAdapter[]> {
  const T = layout.moduleTypes.length;
  const values = await Promise.all(
    layout.moduleTypes.map(async (spec) => ({ A: await factors[spec.name].A.data(), B: await factors[spec.name].B.data() })),
  );
  const config = generatedConfig(layout);
  const adapters: LoraAdapter[] = [];
  for (let s = 0; s < count; s++) {
    const modules: LoraModule[] = [];
    layout.modulePaths.forEach((name, p) => {
      const t = p % T;
      const l = Math.floor(p / T);
      const spec = layout.moduleTypes[t];
      const aLen = spec.rank * spec.dIn;
      const bLen = spec.dOut * spec.rank;
      const A = Float32Array.from(values[t].A.subarray((s * layout.layers + l) * aLen, (s * layout.layers + l + 1) * aLen));
      const factor = normalisers[t] / spec.scaling;
      const B = Float32Array.from(values[t].B.subarray((s * layout.layers + l) * bLen, (s * layout.layers + l + 1) * bLen), (b) => b * factor);
      modules.push({ name, rank: spec.rank, alpha: spec.alpha, scaling: spec.scaling, dIn: spec.dIn, dOut: spec.dOut, A, B });
    });
    adapters.push({ config: structuredClone(config), modules });
  }
  return adapters;
}
