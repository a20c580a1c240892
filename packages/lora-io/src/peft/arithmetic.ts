// PEFT adapters in and out of adapter arithmetic (merging adapters, re-ranking one): which inputs can be combined
// module by module, and the adapter that carries a result whose factors hold the whole update.
import type { LoraAdapter, LoraModule, PeftLoraConfig } from '../types';
import { AdapterFormatError, AdapterLayoutError } from '../errors';
import { getAdapterExtraTensors } from './adapter';
import { parsePeftConfig } from './config';

/**
 * Checks that adapters can be combined module by module: the same modules (by name) with the same dOut x dIn in
 * every adapter. Ranks, alphas, rsLoRA and fan_in_fan_out may differ: each module's `scaling` (PEFT's own, after
 * rank_pattern / alpha_pattern and rsLoRA) says what its update is, and A [r, dIn], B [dOut, r] mean the same with
 * or without fan_in_fan_out (the flag only says how the base layer stores its weight). Refused: DoRA adapters (a
 * magnitude vector rescales W + dW, so their updates do not add) and, when there are several adapters, tensors that
 * are not LoRA factors (modules_to_save heads, biases: they cannot be summed). `labels` name the adapters in
 * messages (their folders, say).
 */
export function checkArithmeticInputs(
  adapters: readonly LoraAdapter[],
  labels: readonly string[] = adapters.map((_, i) => `adapter ${i + 1}`),
): void {
  if (adapters.length === 0) throw new AdapterFormatError('adapter arithmetic needs at least one adapter');
  adapters.forEach((adapter, i) => {
    if (adapter.config.use_dora === true || adapter.modules.some((m) => m.magnitude)) {
      throw new AdapterFormatError(
        `${labels[i]} is a DoRA adapter (use_dora): its magnitude vector rescales each column of W + dW, so DoRA updates cannot be added or re-ranked as B A`,
        'merge the DoRA adapter into its base model first (PEFT: merge_and_unload), or use plain LoRA adapters',
      );
    }
    const extra = [...getAdapterExtraTensors(adapter).keys()];
    if (adapters.length > 1 && extra.length > 0) {
      throw new AdapterFormatError(
        `${labels[i]} carries tensors that are not LoRA factors (${extra.slice(0, 3).join(', ')}${extra.length > 3 ? ', ...' : ''}); they cannot be summed`,
        'merge adapters without modules_to_save heads or LoRA biases, or remove those tensors first',
      );
    }
  });
  const first = new Map(adapters[0].modules.map((m) => [m.name, m]));
  adapters.forEach((adapter, i) => {
    if (i === 0) return;
    const here = new Map(adapter.modules.map((m) => [m.name, m]));
    for (const [name, m] of first) {
      const o = here.get(name);
      if (!o) throw layoutError(`module '${name}' is in ${labels[0]} but not in ${labels[i]}`);
      if (o.dIn !== m.dIn || o.dOut !== m.dOut) {
        throw layoutError(`module '${name}' is ${o.dOut} x ${o.dIn} (dOut x dIn) in ${labels[i]} but ${m.dOut} x ${m.dIn} in ${labels[0]}`);
      }
    }
    for (const name of here.keys()) if (!first.has(name)) throw layoutError(`module '${name}' is in ${labels[i]} but not in ${labels[0]}`);
  });
}

const layoutError = (message: string) =>
  new AdapterLayoutError(message, 'combine adapters trained for the same base model on the same modules (ranks may differ)');

/** A module of an arithmetic result: factors whose plain product is the update (PEFT scaling 1). */
export interface FactoredModule {
  name: string;
  dIn: number;
  dOut: number;
  /** [rank, dIn], row-major; rank = A.length / dIn. */
  A: Float32Array;
  /** [dOut, rank], row-major. */
  B: Float32Array;
}

/**
 * The PEFT adapter for modules whose factors carry the whole update: each module gets alpha = rank (scaling 1, no
 * rsLoRA), so scaling * B A is the product itself whatever its rank. `config` is kept (base model, target_modules,
 * fan_in_fan_out, task_type, unknown fields), with r and lora_alpha set to the most common rank, use_rslora and
 * use_dora off and the patterns cleared: `writePeftAdapter` adds rank_pattern / alpha_pattern entries for the
 * modules of other ranks.
 */
export function adapterFromFactors(config: PeftLoraConfig, modules: readonly FactoredModule[]): LoraAdapter {
  const out: LoraModule[] = modules.map((m) => {
    const rank = m.A.length / m.dIn;
    if (!Number.isInteger(rank) || rank < 1 || m.B.length !== m.dOut * rank) {
      throw new AdapterFormatError(`module '${m.name}': A has ${m.A.length} values and B ${m.B.length}, not rank x ${m.dIn} and ${m.dOut} x rank`);
    }
    return { name: m.name, rank, alpha: rank, scaling: 1, dIn: m.dIn, dOut: m.dOut, A: m.A, B: m.B };
  });
  const counts = new Map<number, number>();
  for (const m of out) counts.set(m.rank, (counts.get(m.rank) ?? 0) + 1);
  const r = [...counts].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0]?.[0] ?? 1;
  const base: PeftLoraConfig = { ...parsePeftConfig(config as Record<string, unknown>), r, lora_alpha: r, use_rslora: false, use_dora: false };
  delete base.rank_pattern;
  delete base.alpha_pattern;
  return { config: base, modules: out };
}
