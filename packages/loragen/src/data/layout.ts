import { detectLayoutPreset, modulePosition, type LoraAdapter, type PeftLoraConfig } from '@loragen/lora-io';
import { LibraryError } from '../errors';

/** One module type of a layout: every layer's module of this type has these shapes. */
export interface ModuleTypeSpec {
  /** Block kind and module, from lora-io's layout presets, e.g. `self_attn.q_proj` or `encoder.self_attn.q`. */
  name: string;
  dIn: number;
  dOut: number;
  rank: number;
  /** PEFT scaling of this type's modules in the layout's template adapter. */
  scaling: number;
  alpha: number;
}

/**
 * How the adapters of a library are laid out as positions: module types x layers, layer-major
 * (position p = layer * moduleTypes.length + typeIndex), the order the decoder expects.
 */
export interface LibraryLayout {
  moduleTypes: ModuleTypeSpec[];
  layers: number;
  /** PEFT module path of each position, layer-major. */
  modulePaths: string[];
  /** The template adapter's config, reused (minus what is not generated) for generated adapters. */
  config: PeftLoraConfig;
}

/** A module's type (block kind + module) and layer, by lora-io's layout preset for the adapter's names. */
function typeAndLayer(name: string, preset: ReturnType<typeof detectLayoutPreset>): { type: string; layer: number } {
  const pos = modulePosition(name, preset);
  return { type: pos.block ? `${pos.block}.${pos.moduleType}` : pos.moduleType, layer: pos.layer };
}

/** Derives the position layout of an adapter. */
export function layoutOf(adapter: LoraAdapter, label = 'adapter'): LibraryLayout {
  const types = new Map<string, ModuleTypeSpec>();
  const byType = new Map<string, Map<number, string>>();
  const preset = detectLayoutPreset(adapter.modules.map((m) => m.name));
  for (const mod of adapter.modules) {
    const { type, layer } = typeAndLayer(mod.name, preset);
    const spec = types.get(type);
    if (!spec) {
      types.set(type, { name: type, dIn: mod.dIn, dOut: mod.dOut, rank: mod.rank, scaling: mod.scaling, alpha: mod.alpha });
      byType.set(type, new Map());
    } else if (spec.dIn !== mod.dIn || spec.dOut !== mod.dOut || spec.rank !== mod.rank) {
      throw new LibraryError(
        `${label}: module '${mod.name}' has shape rank ${mod.rank}, ${mod.dIn} -> ${mod.dOut}, other layers of '${type}' ` +
          `have rank ${spec.rank}, ${spec.dIn} -> ${spec.dOut}`,
        'LoRAGen needs one rank and shape per module type; re-train the adapter with a uniform rank (no rank_pattern)',
      );
    }
    byType.get(type)!.set(layer, mod.name);
  }
  const moduleTypes = [...types.values()];
  const layerSets = [...byType.values()].map((m) => [...m.keys()].sort((a, b) => a - b));
  const layers = layerSets[0]?.length ?? 0;
  layerSets.forEach((ls, i) => {
    if (ls.length !== layers || ls.some((l, j) => l !== layerSets[0][j])) {
      throw new LibraryError(
        `${label}: module type '${moduleTypes[i].name}' covers layers [${ls.join(', ')}], ` +
          `'${moduleTypes[0].name}' covers [${layerSets[0].join(', ')}]`,
        'every module type must be adapted on the same layers (e.g. q and v on every block)',
      );
    }
  });
  const modulePaths: string[] = [];
  for (const layer of layerSets[0] ?? []) for (const t of moduleTypes) modulePaths.push(byType.get(t.name)!.get(layer)!);
  return { moduleTypes, layers, modulePaths, config: adapter.config };
}

/** Throws a LibraryError naming the first difference between two layouts. */
export function assertSameLayout(expected: LibraryLayout, actual: LibraryLayout, label: string): void {
  const describe = (l: LibraryLayout) => l.moduleTypes.map((t) => `${t.name} (r ${t.rank}, ${t.dIn} -> ${t.dOut})`).join(', ');
  const sameTypes =
    expected.moduleTypes.length === actual.moduleTypes.length &&
    expected.moduleTypes.every((t, i) => {
      const u = actual.moduleTypes[i];
      return t.name === u.name && t.dIn === u.dIn && t.dOut === u.dOut && t.rank === u.rank;
    });
  if (!sameTypes || expected.layers !== actual.layers) {
    throw new LibraryError(
      `${label} has layout ${actual.layers} layers x [${describe(actual)}], the library has ${expected.layers} layers x [${describe(expected)}]`,
      'a LoRA library must hold adapters of one base model with the same target modules and rank; move the odd adapter out',
    );
  }
}
