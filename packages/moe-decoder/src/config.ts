// The decoder's config, its documented defaults (the reference implementation's values) and validation.
import { DecoderConfigError } from './errors';
import type { ModuleSpec, NormalSource } from './types';

/** A linear annealing of the router temperature from `start` to `end` over `steps` optimiser steps. */
export interface TemperatureSchedule {
  /** temperature at step 0 */
  start: number;
  /** temperature from `steps` on */
  end: number;
  /** optimiser steps the annealing takes */
  steps: number;
}

/** The load-balancing loss: auxLoss = weight * max(0, E * sum_e p_e f_e - hinge). */
export interface BalanceLossConfig {
  /** multiplier of the balance term (@loragen/core applies its own lambda on top) @default 1 */
  weight?: number;
  /** the loss is zero at or below this value; 1 is perfect balance, 0 turns the hinge off @default 1 */
  hinge?: number;
}

/** How each module type's head maps the experts' output to that type's factors. */
export type HeadKind = 'direct' | 'factorised';

/** Config of {@link ModuleAwareMoEDecoder}. */
export interface ModuleAwareMoEDecoderConfig {
  /** the module types, in position order (positions are layer-major) */
  modules: ModuleSpec[];
  /** number of layers */
  layers: number;
  /** size of one position's latent */
  latentDim: number;
  /** number of experts E @default 4 */
  numExperts?: number;
  /** experts kept per token K; K >= 2 lets the reconstruction loss train the router @default 2 */
  topK?: number;
  /** router temperature, fixed or annealed linearly @default { start: 1.5, end: 1.2, steps: 2000 } */
  temperature?: number | TemperatureSchedule;
  /** hidden width of each expert MLP, and the width of its output @default 256 */
  expertHidden?: number;
  /** size of the learned module-type embedding @default 32 */
  moduleEmbedDim?: number;
  /** size of the learned layer embedding @default 32 */
  layerEmbedDim?: number;
  /** the load-balancing loss @default { weight: 1, hinge: 1 } */
  balanceLoss?: BalanceLossConfig;
  /**
   * 'direct': one linear map expertHidden -> rank * (dIn + dOut) per module type (the reference's head);
   * 'factorised': per module type, rank x headRank coefficients times learned bases [headRank, dIn] and [dOut, headRank]
   * @default 'direct'
   */
  head?: HeadKind;
  /** basis size of the factorised head @default 32 */
  headRank?: number;
  /** where the initial weights are drawn from, in variable creation order (e.g. latent-diffusion's SeededRng) */
  random: NormalSource;
}

/** The config with every default filled in. */
export type ResolvedMoEConfig = Required<Omit<ModuleAwareMoEDecoderConfig, 'temperature' | 'balanceLoss'>> & {
  temperature: TemperatureSchedule;
  balanceLoss: Required<BalanceLossConfig>;
};

export function positiveInteger(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new DecoderConfigError(`${what} must be a positive integer, got ${value}`);
  }
  return value;
}

/** Checks the module list every decoder shares: non-empty, unique names, positive integer sizes. */
export function validateModules(modules: readonly ModuleSpec[]): void {
  if (!Array.isArray(modules) || modules.length === 0) {
    throw new DecoderConfigError('modules must list at least one module type, e.g. [{ name: "q", dIn, dOut, rank }]');
  }
  const seen = new Set<string>();
  for (const m of modules) {
    if (seen.has(m.name)) throw new DecoderConfigError(`module name '${m.name}' appears twice; names must be unique`);
    seen.add(m.name);
    for (const key of ['dIn', 'dOut', 'rank'] as const) positiveInteger(m[key], `modules['${m.name}'].${key}`);
  }
}

/** The injected {@link NormalSource}; a config that still passes `seed` is told what replaced it. */
export function checkRandom(config: { random?: NormalSource; seed?: unknown }): NormalSource {
  const random = config.random;
  if (typeof random?.normals !== 'function') {
    const was = config.seed !== undefined ? ` (seed ${String(config.seed)} is no longer read)` : '';
    throw new DecoderConfigError(
      `random must be a source of normal draws, an object with normals(count, std)${was}; ` +
        "pass e.g. new SeededRng(seed, { algorithm: 'mulberry32' }) from @loragen/latent-diffusion, which gives the weights `seed` gave before",
    );
  }
  return random;
}

function resolveTemperature(t: number | TemperatureSchedule | undefined): TemperatureSchedule {
  const schedule = t === undefined ? { start: 1.5, end: 1.2, steps: 2000 } : typeof t === 'number' ? { start: t, end: t, steps: 1 } : t;
  if (!(schedule.start > 0) || !(schedule.end > 0)) {
    throw new DecoderConfigError(`temperature must be positive, got start ${schedule.start}, end ${schedule.end}`);
  }
  positiveInteger(schedule.steps, 'temperature.steps');
  return { ...schedule };
}

export function resolveMoEConfig(config: ModuleAwareMoEDecoderConfig): ResolvedMoEConfig {
  validateModules(config.modules);
  const resolved: ResolvedMoEConfig = {
    modules: config.modules.map((m) => ({ ...m })),
    layers: positiveInteger(config.layers, 'layers'),
    latentDim: positiveInteger(config.latentDim, 'latentDim'),
    numExperts: positiveInteger(config.numExperts ?? 4, 'numExperts'),
    topK: positiveInteger(config.topK ?? 2, 'topK'),
    temperature: resolveTemperature(config.temperature),
    expertHidden: positiveInteger(config.expertHidden ?? 256, 'expertHidden'),
    moduleEmbedDim: positiveInteger(config.moduleEmbedDim ?? 32, 'moduleEmbedDim'),
    layerEmbedDim: positiveInteger(config.layerEmbedDim ?? 32, 'layerEmbedDim'),
    balanceLoss: { weight: config.balanceLoss?.weight ?? 1, hinge: config.balanceLoss?.hinge ?? 1 },
    head: config.head ?? 'direct',
    headRank: positiveInteger(config.headRank ?? 32, 'headRank'),
    random: checkRandom(config),
  };
  if (resolved.topK > resolved.numExperts) {
    throw new DecoderConfigError(`topK (${resolved.topK}) exceeds numExperts (${resolved.numExperts}); lower topK or add experts`);
  }
  if (resolved.head !== 'direct' && resolved.head !== 'factorised') {
    throw new DecoderConfigError(`head must be 'direct' or 'factorised', got '${String(resolved.head)}'`);
  }
  if (!(resolved.balanceLoss.weight >= 0) || !(resolved.balanceLoss.hinge >= 0)) {
    throw new DecoderConfigError('balanceLoss.weight and balanceLoss.hinge must be >= 0');
  }
  return resolved;
}
