import { WeightSpaceError } from '../errors';
import { factorShape } from '../validate';
import type { AdapterModule, FactoredAdapter } from './adapter';

/** One module across the adapters being combined: its terms (one per adapter, in order) and its shape. */
export interface AlignedModule {
  name: string;
  terms: AdapterModule[];
  ranks: number[];
  dOut: number;
  dIn: number;
}

/**
 * Matches the adapters' modules by name (in the first adapter's order) and checks that every adapter has the same
 * modules with the same dOut x dIn (ranks may differ); a mismatch names the module and the adapters.
 */
export function alignModules(adapters: FactoredAdapter[]): AlignedModule[] {
  if (!Array.isArray(adapters) || adapters.length === 0) throw new WeightSpaceError('adapter arithmetic needs at least one adapter { modules }');
  const byName = adapters.map((adapter, i) => {
    if (!adapter || !Array.isArray(adapter.modules) || adapter.modules.length === 0) {
      throw new WeightSpaceError(`adapter ${i} has no modules: expected { modules: [{ name, A, B, scaling }] }`);
    }
    const map = new Map<string, AdapterModule>();
    for (const m of adapter.modules) {
      if (map.has(m.name)) throw new WeightSpaceError(`adapter ${i} has module '${m.name}' twice`);
      map.set(m.name, m);
    }
    return map;
  });
  for (let i = 1; i < adapters.length; i++) {
    for (const name of byName[i].keys()) {
      if (!byName[0].has(name))
        throw new WeightSpaceError(`module '${name}' is in adapter ${i} but not in adapter 0: adapters must adapt the same modules`);
    }
  }
  return adapters[0].modules.map(({ name }) => {
    const terms = byName.map((map, i) => {
      const m = map.get(name);
      if (!m) throw new WeightSpaceError(`module '${name}' is in adapter 0 but not in adapter ${i}: adapters must adapt the same modules`);
      const scaling = m.scaling ?? 1;
      if (!Number.isFinite(scaling)) throw new WeightSpaceError(`adapter ${i}, module '${name}': scaling must be a finite number (got ${m.scaling})`);
      return m;
    });
    const shapes = terms.map((m, i) => {
      const shape = factorShape(m, `adapter ${i}, module '${name}'`);
      if (shape.batch.length !== 0) {
        throw new WeightSpaceError(`adapter ${i}, module '${name}': A [${m.A.shape}] and B [${m.B.shape}] must be 2-D, A [r, dIn] and B [dOut, r]`);
      }
      return shape;
    });
    shapes.forEach((s, i) => {
      if (s.dOut !== shapes[0].dOut || s.dIn !== shapes[0].dIn) {
        throw new WeightSpaceError(
          `module '${name}' updates a ${s.dOut} x ${s.dIn} weight in adapter ${i} but ${shapes[0].dOut} x ${shapes[0].dIn} in adapter 0: ` +
            'adapters must be for the same base model',
        );
      }
    });
    return { name, terms, ranks: shapes.map((s) => s.rank), dOut: shapes[0].dOut, dIn: shapes[0].dIn };
  });
}
