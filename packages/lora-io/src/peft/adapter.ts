// PEFT adapters from and to tensors: key naming, shape checks, scaling, tensors that are not LoRA factors.
import type { AdapterDtype, LoraAdapter, LoraModule, PeftLoraConfig, WritePeftAdapterOptions } from '../types';
import { AdapterFormatError, SafetensorsError } from '../errors';
import { float32ToBytes, tensorToFloat32, type SafetensorsTensor } from '../safetensors/convert';
import { parseSafetensors } from '../safetensors/parse';
import { assembleSafetensors, planSafetensors, type SafetensorsInput, type SafetensorsPlan } from '../safetensors/serialize';
import { readTorchStateDict } from '../torch/bin';
import { baseModulePath, loraScaling, matchesTargetModules, moduleRankAlpha, parsePeftConfig, peftModulePath } from './config';

const LORA_KEY = /^(.+)\.lora_(A|B)(?:\.([^.]+))?\.weight$/;
const MAGNITUDE_KEY = /^(.+)\.lora_magnitude_vector(?:\.[^.]+)?(?:\.weight)?$/;

const extras = new WeakMap<LoraAdapter, Map<string, SafetensorsTensor>>();

/**
 * Tensors of an adapter that are not LoRA factors (the `modules_to_save` heads, LoRA embedding factors, biases),
 * kept byte for byte under their original keys and written back unchanged by `writePeftAdapter`. They stay with
 * the adapter object `readPeftAdapter` returned (a copy made with `{ ...adapter }` does not carry them: use
 * `setAdapterExtraTensors`).
 */
export function getAdapterExtraTensors(adapter: LoraAdapter): Map<string, SafetensorsTensor> {
  return extras.get(adapter) ?? new Map();
}

/** Attaches tensors to be written beside the LoRA factors of `adapter` (see `getAdapterExtraTensors`). */
export function setAdapterExtraTensors(adapter: LoraAdapter, tensors: Map<string, SafetensorsTensor>): void {
  extras.set(adapter, tensors);
}

function matrix(key: string, t: SafetensorsTensor): [number, number] {
  if (t.shape.length !== 2) {
    throw new AdapterFormatError(
      `tensor '${key}' has shape [${t.shape.join(', ')}]; LoRA factors of linear layers are 2-D ` + '(convolution LoRA is not supported)',
    );
  }
  if (!['F32', 'F16', 'BF16', 'F64'].includes(t.dtype)) {
    throw new AdapterFormatError(`tensor '${key}' has dtype ${t.dtype}; LoRA factors are floating point`);
  }
  return [t.shape[0], t.shape[1]];
}

type Keyed = [key: string, tensor: SafetensorsTensor];

/** A LoRA module found among an adapter's tensors, before its factors are converted. */
export interface ModuleTensors extends Omit<LoraModule, 'A' | 'B' | 'magnitude'> {
  A: Keyed;
  B: Keyed;
  magnitude?: Keyed;
}

/**
 * Sorts an adapter's tensors into LoRA modules (checked against the config: shapes, ranks, rank_pattern,
 * alpha_pattern) and other tensors. Only dtypes and shapes are looked at, so a header is enough.
 */
export function groupAdapterTensors(
  configInput: PeftLoraConfig | Record<string, unknown> | string,
  tensors: Map<string, SafetensorsTensor>,
): { config: PeftLoraConfig; modules: ModuleTensors[]; other: Map<string, SafetensorsTensor> } {
  const config = parsePeftConfig(configInput as Record<string, unknown> | string);
  const pairs = new Map<string, { A?: Keyed; B?: Keyed; M?: Keyed }>();
  const other = new Map<string, SafetensorsTensor>();
  const slot = (name: string) => {
    const key = peftModulePath(name);
    let s = pairs.get(key);
    if (!s) pairs.set(key, (s = {}));
    return s;
  };
  for (const [key, t] of tensors) {
    const lora = LORA_KEY.exec(key);
    const mag = lora ? null : MAGNITUDE_KEY.exec(key);
    if (lora) {
      const s = slot(lora[1]);
      const which = lora[2] as 'A' | 'B';
      if (s[which]) throw new AdapterFormatError(`module '${lora[1]}' has two lora_${which} tensors ('${s[which]![0]}', '${key}')`);
      s[which] = [key, t];
    } else if (mag) {
      const s = slot(mag[1]);
      if (s.M) throw new AdapterFormatError(`module '${mag[1]}' has two magnitude vectors`);
      s.M = [key, t];
    } else {
      other.set(key, t);
    }
  }
  const modules: ModuleTensors[] = [];
  for (const [name, s] of pairs) {
    if (!s.A || !s.B) {
      throw new AdapterFormatError(
        `module '${name}' has ${s.A ? 'lora_A but no lora_B' : s.B ? 'lora_B but no lora_A' : 'a magnitude vector but no lora_A or lora_B'}`,
      );
    }
    const [rank, dIn] = matrix(s.A[0], s.A[1]);
    const [dOut, rankB] = matrix(s.B[0], s.B[1]);
    if (rank !== rankB) {
      throw new AdapterFormatError(`module '${name}': lora_A has rank ${rank} but lora_B has rank ${rankB}`);
    }
    const expected = moduleRankAlpha(config, name);
    if (expected.rank !== rank) {
      throw new AdapterFormatError(
        `module '${name}' has rank ${rank} in its tensors but ${expected.rank} from adapter_config.json (r / rank_pattern)`,
      );
    }
    if (s.M) {
      const len = s.M[1].shape.reduce((a, b) => a * b, 1);
      if (len !== dOut || !['F32', 'F16', 'BF16', 'F64'].includes(s.M[1].dtype)) {
        throw new AdapterFormatError(`module '${name}': magnitude vector has ${len} ${s.M[1].dtype} entries, expected ${dOut} floats`);
      }
    }
    modules.push({
      name,
      rank,
      alpha: expected.alpha,
      scaling: loraScaling(expected.alpha, rank, config.use_rslora === true),
      dIn,
      dOut,
      A: s.A,
      B: s.B,
      ...(s.M ? { magnitude: s.M } : {}),
    });
  }
  return { config, modules, other };
}

/**
 * Builds a `LoraAdapter` from a config and the adapter's tensors (from safetensors or `.bin`). Keys may carry
 * the adapter name (`lora_A.default.weight`) and may lack the `base_model.model.` prefix; module names are always
 * returned with it. Factors are copied into fresh Float32Arrays.
 */
export function adapterFromTensors(
  configInput: PeftLoraConfig | Record<string, unknown> | string,
  tensors: Map<string, SafetensorsTensor>,
): LoraAdapter {
  const { config, modules, other } = groupAdapterTensors(configInput, tensors);
  const adapter: LoraAdapter = {
    config,
    modules: modules.map((g) => {
      const m: LoraModule = {
        name: g.name,
        rank: g.rank,
        alpha: g.alpha,
        scaling: g.scaling,
        dIn: g.dIn,
        dOut: g.dOut,
        A: tensorToFloat32(g.A[1], { copy: true }),
        B: tensorToFloat32(g.B[1], { copy: true }),
      };
      if (g.magnitude) m.magnitude = tensorToFloat32(g.magnitude[1], { copy: true });
      return m;
    }),
  };
  if (other.size > 0) extras.set(adapter, other);
  return adapter;
}

/** Parses an adapter from its config and its weights file (safetensors, or a PyTorch `.bin` archive). */
export function parsePeftAdapter(
  config: string | Record<string, unknown>,
  weights: Uint8Array | ArrayBufferLike,
  format: 'safetensors' | 'bin' = 'safetensors',
): LoraAdapter {
  const bytes = weights instanceof Uint8Array ? weights : new Uint8Array(weights);
  const tensors = format === 'bin' ? readTorchStateDict(bytes) : parseSafetensors(bytes).tensors;
  return adapterFromTensors(config, tensors);
}

function checkModule(m: LoraModule): void {
  const bad = (what: string): never => {
    throw new AdapterFormatError(`module '${m.name}': ${what}`);
  };
  if (typeof m.name !== 'string' || m.name.length === 0) bad('name is empty');
  for (const f of ['rank', 'dIn', 'dOut'] as const) {
    if (!Number.isInteger(m[f]) || m[f] <= 0) bad(`${f} is ${m[f]}, not a positive integer`);
  }
  if (!(m.A instanceof Float32Array) || m.A.length !== m.rank * m.dIn) bad(`A must be a Float32Array of rank x dIn = ${m.rank * m.dIn} values`);
  if (!(m.B instanceof Float32Array) || m.B.length !== m.dOut * m.rank) bad(`B must be a Float32Array of dOut x rank = ${m.dOut * m.rank} values`);
  if (m.magnitude !== undefined && (!(m.magnitude instanceof Float32Array) || m.magnitude.length !== m.dOut)) {
    bad(`magnitude must be a Float32Array of dOut = ${m.dOut} values`);
  }
}

/**
 * The config PEFT needs to rebuild exactly these modules: `peft_type` and `target_modules` filled in when
 * absent, and rank_pattern / alpha_pattern entries added (ahead of existing ones) for modules whose rank or
 * alpha differ from what the config would give them. A module whose `scaling` disagrees with its alpha and
 * rank is refused, since PEFT recomputes scaling from those.
 */
export function configForModules(adapter: LoraAdapter): PeftLoraConfig {
  const config: PeftLoraConfig = { ...parsePeftConfig(adapter.config as Record<string, unknown>) };
  if (config.peft_type === undefined) config.peft_type = 'LORA';
  const names = new Set<string>();
  const rankExtra: Record<string, number> = {};
  const alphaExtra: Record<string, number> = {};
  for (const m of adapter.modules) {
    checkModule(m);
    const name = peftModulePath(m.name);
    if (names.has(name)) throw new AdapterFormatError(`module '${name}' appears twice`);
    names.add(name);
    const want = loraScaling(m.alpha, m.rank, config.use_rslora === true);
    if (!(Math.abs(want - m.scaling) <= 1e-12 * Math.abs(want))) {
      throw new AdapterFormatError(
        `module '${name}': scaling ${m.scaling} does not match alpha ${m.alpha} and rank ${m.rank} ` +
          `(PEFT would apply ${want}); set alpha so that scaling follows from it`,
      );
    }
    const given = moduleRankAlpha(config, name);
    const key = baseModulePath(name).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    if (given.rank !== m.rank) rankExtra[key] = m.rank;
    if (given.alpha !== m.alpha) alphaExtra[key] = m.alpha;
  }
  if (Object.keys(rankExtra).length) config.rank_pattern = { ...rankExtra, ...(config.rank_pattern ?? {}) };
  if (Object.keys(alphaExtra).length) config.alpha_pattern = { ...alphaExtra, ...(config.alpha_pattern ?? {}) };
  const tm = config.target_modules;
  if (tm === undefined || tm === null || (Array.isArray(tm) && tm.length === 0)) {
    config.target_modules = [...new Set(adapter.modules.map((m) => m.name.slice(m.name.lastIndexOf('.') + 1)))].sort();
  } else {
    for (const name of names) {
      if (!matchesTargetModules(tm, name)) {
        throw new AdapterFormatError(`module '${name}' is not selected by target_modules ${JSON.stringify(tm)}; PEFT would not load it`);
      }
    }
  }
  return config;
}

/** Options of `serializePeftAdapter`. */
export interface SerializePeftAdapterOptions extends WritePeftAdapterOptions {
  /** Tensors written unchanged beside the factors; defaults to those `readPeftAdapter` kept with the adapter. */
  extraTensors?: Map<string, SafetensorsTensor>;
}

/** The safetensors layout of an adapter's weights (no bytes copied for F32). */
export function planPeftAdapter(adapter: LoraAdapter, opts: SerializePeftAdapterOptions = {}): { config: PeftLoraConfig; plan: SafetensorsPlan } {
  const dtype: AdapterDtype = opts.dtype ?? 'F32';
  if (!['F32', 'F16', 'BF16'].includes(dtype)) throw new AdapterFormatError(`cannot write adapter dtype '${dtype}'`);
  const config = configForModules(adapter);
  const tensors = new Map<string, SafetensorsInput>();
  for (const m of adapter.modules) {
    const name = peftModulePath(m.name);
    tensors.set(`${name}.lora_A.weight`, { dtype, shape: [m.rank, m.dIn], data: float32ToBytes(m.A, dtype) });
    tensors.set(`${name}.lora_B.weight`, { dtype, shape: [m.dOut, m.rank], data: float32ToBytes(m.B, dtype) });
    if (m.magnitude) {
      tensors.set(`${name}.lora_magnitude_vector.weight`, { dtype, shape: [m.dOut], data: float32ToBytes(m.magnitude, dtype) });
    }
  }
  for (const [key, t] of opts.extraTensors ?? getAdapterExtraTensors(adapter)) {
    if (tensors.has(key)) throw new AdapterFormatError(`extra tensor '${key}' collides with a LoRA factor`);
    tensors.set(key, t);
  }
  try {
    return { config, plan: planSafetensors(tensors, { format: 'pt' }) };
  } catch (e) {
    if (e instanceof SafetensorsError) throw new AdapterFormatError(e.reason, e.hint);
    throw e;
  }
}

/** PEFT's `adapter_config.json` text: two-space indented JSON, as PEFT writes it. */
export function stringifyPeftConfig(config: PeftLoraConfig): string {
  return `${JSON.stringify(config, null, 2)}\n`;
}

/**
 * An adapter as the two files PEFT reads: `adapter_config.json` text and `adapter_model.safetensors` bytes.
 * Browser-safe (for a download); `writePeftAdapter` is the Node version that writes them atomically.
 */
export function serializePeftAdapter(
  adapter: LoraAdapter,
  opts: SerializePeftAdapterOptions = {},
): { config: string; safetensors: Uint8Array<ArrayBuffer> } {
  const { config, plan } = planPeftAdapter(adapter, opts);
  return { config: stringifyPeftConfig(config), safetensors: assembleSafetensors(plan) };
}
