// Module names -> positions (module type, layer index, block kind), with presets for the model families LoRAGen
// meets, and a generic fallback. Also the layout of an adapter (what a LoRA library's adapters must share).
import type { LayoutPresetName, LoraModule, ModulePosition } from '../types';
import { baseModulePath, PEFT_PREFIX } from '../peft/config';

/** A module-name convention: recognises a base-model module path and gives its position. */
export interface LayoutPreset {
  name: LayoutPresetName;
  /** The position of `path` (a base-model path, without `base_model.model.`), or undefined if not of this family. */
  position(path: string): ModulePosition | undefined;
  /** The base-model path of a position (inverse of `position`), when the family has one spelling. */
  path?(position: ModulePosition): string | undefined;
}

const T5_BLOCKS: Record<string, string> = {
  'encoder.SelfAttention': 'encoder.self_attn',
  'encoder.DenseReluDense': 'encoder.ffn',
  'decoder.SelfAttention': 'decoder.self_attn',
  'decoder.EncDecAttention': 'decoder.cross_attn',
  'decoder.DenseReluDense': 'decoder.ffn',
};
const T5_SUBLAYER: Record<string, number> = {
  'encoder.self_attn': 0,
  'encoder.ffn': 1,
  'decoder.self_attn': 0,
  'decoder.cross_attn': 1,
  'decoder.ffn': 2,
};
const T5_RE = /(?:^|\.)(encoder|decoder)\.block\.(\d+)\.layer\.(\d+)\.(SelfAttention|EncDecAttention|DenseReluDense)\.([^.]+)$/;

/** T5 (and mT5, Flan-T5): q, k, v, o in self- and cross-attention; wi (wi_0, wi_1), wo in the feed-forward. */
export const T5_PRESET: LayoutPreset = {
  name: 't5',
  position(path) {
    const m = T5_RE.exec(path);
    if (!m) return undefined;
    const block = T5_BLOCKS[`${m[1]}.${m[4]}`];
    if (!block) return undefined;
    return { moduleType: m[5], layer: Number(m[2]), block };
  },
  path({ moduleType, layer, block }) {
    const sub = T5_SUBLAYER[block];
    if (sub === undefined) return undefined;
    const [stack, kind] = block.split('.');
    const part = kind === 'self_attn' ? 'SelfAttention' : kind === 'cross_attn' ? 'EncDecAttention' : 'DenseReluDense';
    return `${stack}.block.${layer}.layer.${sub}.${part}.${moduleType}`;
  },
};

/**
 * A family whose modules sit at `<stack>.N.<block>.<module>` (after any prefix), with one spelling of the path:
 * `<pathPrefix>.N.<block>.<module>`.
 */
function layeredPreset(name: LayoutPresetName, stack: string, blocks: readonly string[], pathPrefix: string): LayoutPreset {
  const re = new RegExp(`(?:^|\\.)${stack}\\.(\\d+)\\.(${blocks.join('|')})\\.([^.]+)$`);
  return {
    name,
    position(path) {
      const m = re.exec(path);
      if (!m) return undefined;
      return { moduleType: m[3], layer: Number(m[1]), block: m[2] };
    },
    path({ moduleType, layer, block }) {
      if (!blocks.includes(block)) return undefined;
      return `${pathPrefix}.${layer}.${block}.${moduleType}`;
    },
  };
}

/** Llama, Gemma, Gemma-2, Mistral, Qwen2, Phi-3: `layers.N.self_attn.{q,k,v,o}_proj`, `layers.N.mlp.{gate,up,down}_proj`. */
export const LLAMA_PRESET: LayoutPreset = layeredPreset('llama', 'layers', ['self_attn', 'mlp'], 'model.layers');

/** GPT-2: `transformer.h.N.attn.{c_attn,c_proj}`, `transformer.h.N.mlp.{c_fc,c_proj}`. */
export const GPT2_PRESET: LayoutPreset = layeredPreset('gpt2', 'h', ['attn', 'crossattention', 'mlp'], 'transformer.h');

/**
 * Any other family (DistilBERT, BERT, ...): the layer is the last numeric path segment, the module type the last
 * segment, the block the segments between them (e.g. `distilbert.transformer.layer.0.attention.q_lin` ->
 * q_lin, 0, 'attention'). A path with no number gets layer -1 and the block of everything before the module.
 */
export const GENERIC_PRESET: LayoutPreset = {
  name: 'generic',
  position(path) {
    const parts = path.split('.');
    const moduleType = parts[parts.length - 1];
    for (let i = parts.length - 2; i >= 0; i--) {
      if (/^\d+$/.test(parts[i])) {
        return { moduleType, layer: Number(parts[i]), block: parts.slice(i + 1, -1).join('.') };
      }
    }
    return { moduleType, layer: -1, block: parts.slice(0, -1).join('.') };
  },
};

export const LAYOUT_PRESETS: Readonly<Record<LayoutPresetName, LayoutPreset>> = {
  t5: T5_PRESET,
  llama: LLAMA_PRESET,
  gpt2: GPT2_PRESET,
  generic: GENERIC_PRESET,
};

/** The preset that recognises every name (t5, then llama, then gpt2), else 'generic'. */
export function detectLayoutPreset(names: Iterable<string>): LayoutPresetName {
  const paths = [...names].map(baseModulePath);
  if (paths.length === 0) return 'generic';
  for (const p of [T5_PRESET, LLAMA_PRESET, GPT2_PRESET]) {
    if (paths.every((n) => p.position(n) !== undefined)) return p.name;
  }
  return 'generic';
}

/** Position of a module (PEFT path with or without `base_model.model.`) under a preset (detected when omitted). */
export function modulePosition(name: string, preset?: LayoutPresetName): ModulePosition {
  const path = baseModulePath(name);
  const chosen = LAYOUT_PRESETS[preset ?? detectLayoutPreset([path])];
  return chosen.position(path) ?? GENERIC_PRESET.position(path)!;
}

/** The PEFT module path (with `base_model.model.`) of a position under a named preset, when it has one. */
export function modulePathOf(position: ModulePosition, preset: LayoutPresetName): string | undefined {
  const p = LAYOUT_PRESETS[preset].path?.(position);
  return p === undefined ? undefined : PEFT_PREFIX + p;
}

/** One module of an adapter's layout. */
export interface LayoutEntry {
  name: string;
  rank: number;
  dIn: number;
  dOut: number;
  position: ModulePosition;
}

/** An adapter's layout: its preset and its modules (sorted by layer, block, module type, then name). */
export interface AdapterLayout {
  preset: LayoutPresetName;
  modules: LayoutEntry[];
}

/** The layout of an adapter (or of anything that lists modules with names, ranks and shapes). */
export function adapterLayout(modules: readonly Pick<LoraModule, 'name' | 'rank' | 'dIn' | 'dOut'>[], preset?: LayoutPresetName): AdapterLayout {
  const chosen = preset ?? detectLayoutPreset(modules.map((m) => m.name));
  const entries = modules.map((m) => ({
    name: m.name,
    rank: m.rank,
    dIn: m.dIn,
    dOut: m.dOut,
    position: modulePosition(m.name, chosen),
  }));
  entries.sort(
    (a, b) =>
      a.position.layer - b.position.layer ||
      cmp(a.position.block, b.position.block) ||
      cmp(a.position.moduleType, b.position.moduleType) ||
      cmp(a.name, b.name),
  );
  return { preset: chosen, modules: entries };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The first difference between two layouts, in words, or undefined when they are the same. */
export function layoutDifference(a: AdapterLayout, b: AdapterLayout): string | undefined {
  const bm = new Map(b.modules.map((m) => [m.name, m]));
  const am = new Map(a.modules.map((m) => [m.name, m]));
  for (const m of a.modules) {
    const o = bm.get(m.name);
    if (!o) return `module '${m.name}' is missing`;
    if (o.rank !== m.rank) return `module '${m.name}' has rank ${o.rank} instead of ${m.rank}`;
    if (o.dIn !== m.dIn || o.dOut !== m.dOut) {
      return `module '${m.name}' is ${o.dOut}x${o.dIn} (dOut x dIn) instead of ${m.dOut}x${m.dIn}`;
    }
  }
  for (const m of b.modules) if (!am.has(m.name)) return `module '${m.name}' is extra`;
  return undefined;
}
