// adapter_config.json: parsing, PEFT's pattern matching for per-module rank and alpha, and scaling.
import type { PeftLoraConfig } from '../types';
import { AdapterFormatError } from '../errors';

/** The prefix PEFT puts before the base model's own module paths. */
export const PEFT_PREFIX = 'base_model.model.';

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkNumberMap(config: Record<string, unknown>, field: string, integer: boolean): void {
  const v = config[field];
  if (v === undefined || v === null) return;
  if (!isPlainObject(v)) throw new AdapterFormatError(`adapter_config.json: ${field} is not an object`);
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== 'number' || !Number.isFinite(x) || (integer && (!Number.isInteger(x) || x <= 0))) {
      throw new AdapterFormatError(`adapter_config.json: ${field}['${k}'] is not a ${integer ? 'positive integer' : 'number'}`);
    }
  }
}

/**
 * Parses and checks `adapter_config.json` (text or an already-parsed object). Every field is kept; `r` and
 * `lora_alpha` default to PEFT's 8 when absent.
 */
export function parsePeftConfig(input: string | Record<string, unknown>): PeftLoraConfig {
  let raw: unknown = input;
  if (typeof input === 'string') {
    try {
      raw = JSON.parse(input);
    } catch (e) {
      throw new AdapterFormatError(`adapter_config.json is not valid JSON: ${(e as Error).message}`);
    }
  }
  if (!isPlainObject(raw)) throw new AdapterFormatError('adapter_config.json is not a JSON object');
  const config: Record<string, unknown> = typeof input === 'string' ? raw : { ...raw };
  if (config.peft_type !== undefined && config.peft_type !== 'LORA') {
    throw new AdapterFormatError(`adapter_config.json: peft_type is ${JSON.stringify(config.peft_type)}, not 'LORA'`);
  }
  if (config.r === undefined) config.r = 8;
  if (config.lora_alpha === undefined) config.lora_alpha = 8;
  if (typeof config.r !== 'number' || !Number.isInteger(config.r) || config.r <= 0) {
    throw new AdapterFormatError(`adapter_config.json: r is ${JSON.stringify(config.r)}, not a positive integer`);
  }
  if (typeof config.lora_alpha !== 'number' || !Number.isFinite(config.lora_alpha)) {
    throw new AdapterFormatError(`adapter_config.json: lora_alpha is ${JSON.stringify(config.lora_alpha)}, not a number`);
  }
  for (const f of ['use_rslora', 'use_dora', 'fan_in_fan_out']) {
    if (config[f] !== undefined && config[f] !== null && typeof config[f] !== 'boolean') {
      throw new AdapterFormatError(`adapter_config.json: ${f} is not a boolean`);
    }
  }
  checkNumberMap(config, 'rank_pattern', true);
  checkNumberMap(config, 'alpha_pattern', false);
  const tm = config.target_modules;
  if (tm !== undefined && tm !== null && typeof tm !== 'string' && !(Array.isArray(tm) && tm.every((t) => typeof t === 'string'))) {
    throw new AdapterFormatError('adapter_config.json: target_modules is neither a list of names nor a regex string');
  }
  const mts = config.modules_to_save;
  if (mts !== undefined && mts !== null && !(Array.isArray(mts) && mts.every((t) => typeof t === 'string'))) {
    throw new AdapterFormatError('adapter_config.json: modules_to_save is not a list of names');
  }
  return config as PeftLoraConfig;
}

/** A module path as PEFT's tuner sees it: the base model's own path, without `base_model.model.`. */
export function baseModulePath(name: string): string {
  return name.startsWith(PEFT_PREFIX) ? name.slice(PEFT_PREFIX.length) : name;
}

/** The full PEFT module path (with `base_model.model.`). */
export function peftModulePath(name: string): string {
  return name.startsWith(PEFT_PREFIX) ? name : PEFT_PREFIX + name;
}

const regexCache = new Map<string, RegExp | null>();
function compile(source: string): RegExp | null {
  let re = regexCache.get(source);
  if (re === undefined) {
    try {
      re = new RegExp(source, 'u');
    } catch {
      try {
        re = new RegExp(source);
      } catch {
        re = null;
      }
    }
    if (regexCache.size > 1000) regexCache.clear();
    regexCache.set(source, re);
  }
  return re;
}

/**
 * PEFT's `get_pattern_key`: the first pattern key (in the object's order) that, as a regex `(.*\.)?(key)$`,
 * matches the module path from its start. A key that is not a valid regex matches only as a literal suffix.
 */
export function findPatternKey(patterns: Record<string, unknown> | null | undefined, modulePath: string): string | undefined {
  if (!patterns) return undefined;
  const path = baseModulePath(modulePath);
  for (const key of Object.keys(patterns)) {
    const re = compile(`^(?:.*\\.)?(?:${key})$`);
    if (re ? re.test(path) : path === key || path.endsWith(`.${key}`)) return key;
  }
  return undefined;
}

/** The rank and alpha PEFT gives `modulePath` under `config`, after rank_pattern and alpha_pattern. */
export function moduleRankAlpha(config: PeftLoraConfig, modulePath: string): { rank: number; alpha: number } {
  const rk = findPatternKey(config.rank_pattern, modulePath);
  const ak = findPatternKey(config.alpha_pattern, modulePath);
  return {
    rank: rk === undefined ? config.r : (config.rank_pattern as Record<string, number>)[rk],
    alpha: ak === undefined ? config.lora_alpha : (config.alpha_pattern as Record<string, number>)[ak],
  };
}

/** PEFT's scaling: alpha / rank, or alpha / sqrt(rank) with rsLoRA. */
export function loraScaling(alpha: number, rank: number, useRslora = false): number {
  return useRslora ? alpha / Math.sqrt(rank) : alpha / rank;
}

/** Whether PEFT's `target_modules` selects `modulePath` (a list: name or dotted suffix; a string: full regex). */
export function matchesTargetModules(target: PeftLoraConfig['target_modules'], modulePath: string): boolean {
  const path = baseModulePath(modulePath);
  if (target === undefined || target === null) return true;
  if (typeof target === 'string') {
    if (target === 'all-linear') return true;
    const re = compile(`^(?:${target})$`);
    return re ? re.test(path) : false;
  }
  return target.some((t) => path === t || path.endsWith(`.${t}`));
}
