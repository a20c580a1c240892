// Fuzz inputs and the property they must satisfy: every input either parses or throws SafetensorsError /
// AdapterFormatError; no other exception, no hang, no typed-array allocation larger than the input while parsing
// (and none larger than the float32 widening of the input, 4x, while converting tensors to float32).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  AdapterFormatError,
  SafetensorsError,
  adapterFromTensors,
  groupAdapterTensors,
  parsePeftConfig,
  parseSafetensors,
  readTorchStateDict,
  serializePeftAdapter,
  serializeSafetensors,
  tensorToFloat32,
  type SafetensorsDtype,
  type SafetensorsTensor,
} from '@loragen/lora-io';
import { halfTable, f8Table } from '../../src/safetensors/dtypes';
import { FIXTURES } from '../helpers/fixtures';
import { Pickle, torchArchive } from '../helpers/torch-zip';
import { installAllocationGuard, withAllocationLimit } from './allocation-guard';

export type FuzzKind = 'safetensors' | 'config' | 'bin';
export interface FuzzInput {
  kind: FuzzKind;
  how: string;
  bytes: Uint8Array;
}

const read = (p: string) => new Uint8Array(readFileSync(join(FIXTURES, p)));
const SEEDS_ST = [
  read('peft/llama-qv-r4-fp16/adapter_model.safetensors'),
  read('peft/gemma2-qv-r4-rslora/adapter_model.safetensors'),
  read('peft/t5-qv-r4/adapter_model.safetensors'),
];
const SEEDS_BIN = [read('peft/t5-qv-r4-bin/adapter_model.bin'), read('peft/malicious-bin/adapter_model.bin')];
const SEED_CONFIGS = [
  readFileSync(join(FIXTURES, 'peft/gemma2-qv-r4-rslora/adapter_config.json'), 'utf8'),
  readFileSync(join(FIXTURES, 'real/distilbert-emotion/adapter_config.json'), 'utf8'),
];
const T5_CONFIG = readFileSync(join(FIXTURES, 'peft/t5-qv-r4/adapter_config.json'), 'utf8');
const LLAMA_CONFIG = readFileSync(join(FIXTURES, 'peft/llama-qv-r4-fp16/adapter_config.json'), 'utf8');
const LLAMA_TENSORS = parseSafetensors(SEEDS_ST[0]).tensors;

const DTYPES: SafetensorsDtype[] = ['F64', 'F32', 'F16', 'BF16', 'I64', 'I32', 'I16', 'I8', 'U8', 'BOOL'];
const SIZE: Record<string, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

/** Valid safetensors files of random small tensors (LoRA-like names half of the time). */
const validSafetensors = fc
  .array(
    fc.record({
      name: fc.oneof(
        fc.string({ maxLength: 12 }),
        fc
          .tuple(fc.nat(3), fc.constantFrom('q', 'v'), fc.constantFrom('A', 'B'))
          .map(([l, m, ab]) => `base_model.model.layers.${l}.${m}.lora_${ab}.weight`),
      ),
      dtype: fc.constantFrom(...DTYPES),
      shape: fc.array(fc.nat(5), { maxLength: 3 }),
      fill: fc.nat(255),
    }),
    { maxLength: 5 },
  )
  .map((ts) => {
    const tensors: Record<string, { dtype: SafetensorsDtype; shape: number[]; data: Uint8Array }> = {};
    for (const t of ts) {
      if (t.name === '__metadata__') continue;
      const n = t.shape.reduce((a, b) => a * b, 1);
      tensors[t.name] = { dtype: t.dtype, shape: t.shape, data: new Uint8Array(n * SIZE[t.dtype]).fill(t.dtype === 'BOOL' ? t.fill & 1 : t.fill) };
    }
    return serializeSafetensors(tensors, { format: 'pt' });
  });

/** Byte-level mutations of a seed: flips, truncation, splices, a forged header length. */
function mutate(seed: fc.Arbitrary<Uint8Array>): fc.Arbitrary<{ how: string; bytes: Uint8Array }> {
  return fc.oneof(
    fc
      .tuple(seed, fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.nat(255)), { minLength: 1, maxLength: 8 }), fc.boolean())
      .map(([b, flips, headerBiased]) => {
        const out = b.slice();
        const headerEnd = Math.min(out.length, 8 + (out.length >= 8 ? new DataView(out.buffer).getUint32(0, true) : 0));
        for (const [pos, v] of flips) out[Math.floor(pos * (headerBiased ? headerEnd : out.length)) % Math.max(out.length, 1)] = v;
        return { how: 'flip', bytes: out };
      }),
    fc.tuple(seed, fc.double({ min: 0, max: 1, noNaN: true })).map(([b, f]) => ({ how: 'truncate', bytes: b.subarray(0, Math.floor(f * b.length)) })),
    fc.tuple(seed, fc.double({ min: 0, max: 1, noNaN: true }), fc.uint8Array({ maxLength: 16 })).map(([b, f, ins]) => {
      const at = Math.floor(f * b.length);
      const out = new Uint8Array(b.length + ins.length);
      out.set(b.subarray(0, at));
      out.set(ins, at);
      out.set(b.subarray(at), at + ins.length);
      return { how: 'splice', bytes: out };
    }),
    fc.tuple(seed, fc.oneof(fc.nat(), fc.constantFrom(0, 7, 8, 100_000_001, 0xffffffff)), fc.nat(3)).map(([b, len, hi]) => {
      const out = b.slice();
      if (out.length >= 8) {
        new DataView(out.buffer).setUint32(0, len, true);
        new DataView(out.buffer).setUint32(4, hi === 0 ? 0 : hi, true);
      }
      return { how: 'header-length', bytes: out };
    }),
  );
}

/** Textual mutations of a safetensors header (numbers, dtypes, duplicated keys, broken syntax), re-framed. */
const headerEdits = fc
  .tuple(
    fc.constantFrom(...SEEDS_ST),
    fc.array(
      fc.oneof(
        fc.tuple(fc.constant('number' as const), fc.nat(50), fc.oneof(fc.integer(), fc.constantFrom(-1, 0, 1.5, 1e300, 2 ** 53 + 2, -0))),
        fc.tuple(
          fc.constant('dtype' as const),
          fc.nat(50),
          fc.constantFrom('F32', 'F16', 'BF16', 'F8_E4M3', 'F8_E5M2', 'U8', 'BOOL', 'I64', 'X', ''),
        ),
        fc.tuple(fc.constant('dup' as const), fc.nat(50), fc.constant(0)),
        fc.tuple(fc.constant('char' as const), fc.nat(5000), fc.constantFrom('{', '}', '[', ']', '"', ',', ':', '\\', '\u0000', 'é', ' ')),
      ),
      { minLength: 1, maxLength: 4 },
    ),
    fc.boolean(),
  )
  .map(([seed, edits, keepLength]) => {
    const n = new DataView(seed.buffer, seed.byteOffset).getUint32(0, true);
    let text = Buffer.from(seed.subarray(8, 8 + n)).toString('utf8');
    for (const [op, i, v] of edits) {
      if (op === 'number') {
        let k = 0;
        text = text.replace(/-?\d+(\.\d+)?/g, (m) => (k++ === i ? String(v) : m));
      } else if (op === 'dtype') {
        let k = 0;
        text = text.replace(/"dtype":"[^"]*"/g, (m) => (k++ === i ? `"dtype":"${v}"` : m));
      } else if (op === 'dup') {
        const keys = [...text.matchAll(/"(base_model[^"]*)":(\{[^}]*\})/g)];
        if (keys.length) {
          const [, key, body] = keys[i % keys.length];
          text = text.replace(/\}\s*$/, `,"${key}":${body}}`);
        }
      } else {
        const at = i % Math.max(text.length, 1);
        text = text.slice(0, at) + v + text.slice(at + 1);
      }
    }
    const header = Buffer.from(text, 'utf8');
    const data = seed.subarray(8 + n);
    const out = new Uint8Array(8 + header.length + data.length);
    new DataView(out.buffer).setUint32(0, keepLength ? header.length : header.length + 8, true);
    out.set(header, 8);
    out.set(data, 8 + header.length);
    return { how: 'header-text', bytes: out };
  });

const safetensorsInputs: fc.Arbitrary<FuzzInput> = fc
  .oneof(
    { weight: 2, arbitrary: validSafetensors.map((bytes) => ({ how: 'valid', bytes })) },
    { weight: 4, arbitrary: mutate(fc.oneof(fc.constantFrom(...SEEDS_ST), validSafetensors)) },
    { weight: 3, arbitrary: headerEdits },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => ({ how: 'random', bytes })) },
  )
  .map((x) => ({ kind: 'safetensors' as const, ...x }));

/** Random pickles built from the opcodes a state dict uses (and some it must refuse), in a valid archive. */
const randomPickle = fc
  .array(
    fc.oneof(
      fc.constantFrom<[string, (p: Pickle) => void]>(
        ['}', (p) => p.op('}')],
        ['(', (p) => p.op('(')],
        ['t', (p) => p.op('t')],
        ['u', (p) => p.op('u')],
        ['s', (p) => p.op('s')],
        [')', (p) => p.op(')')],
        ['R', (p) => p.op('R')],
        ['Q', (p) => p.op('Q')],
        ['a', (p) => p.op('a')],
        [']', (p) => p.op(']')],
        ['b', (p) => p.op('b')],
        ['0x85', (p) => p.op(0x85)],
        ['0x86', (p) => p.op(0x86)],
        ['N', (p) => p.op('N')],
        ['0x94', (p) => p.op(0x94)],
        ['g-rebuild', (p) => p.global('torch._utils', '_rebuild_tensor_v2')],
        ['g-float', (p) => p.global('torch', 'FloatStorage')],
        ['g-od', (p) => p.global('collections', 'OrderedDict')],
        ['g-evil', (p) => p.global('builtins', 'exec')],
        ['tensor', (p) => p.tensor('0', 'FloatStorage', 4, 0, [2, 2], [2, 1])],
        ['tensor-bad', (p) => p.tensor('0', 'HalfStorage', 99, 7, [3, 3], [0, 5])],
        ['q0', (p) => p.op('q', 0)],
        ['h0', (p) => p.op('h', 0)],
        ['long1', (p) => p.op(0x8a, 9, 1, 2, 3, 4, 5, 6, 7, 8, 9)],
        ['0x8c', (p) => p.op(0x8c, 200)],
        ['X-huge', (p) => p.op('X', 0xff, 0xff, 0xff, 0x7f)],
      ),
      fc.string({ maxLength: 6 }).map((s) => [`str`, (p: Pickle) => p.str(s)] as [string, (p: Pickle) => void]),
      fc.integer({ min: -70000, max: 70000 }).map((n) => [`int`, (p: Pickle) => p.int(n)] as [string, (p: Pickle) => void]),
      fc.nat(255).map((b) => [`raw`, (p: Pickle) => p.op(b)] as [string, (p: Pickle) => void]),
    ),
    { maxLength: 24 },
  )
  .map((ops) => {
    const p = new Pickle();
    for (const [, f] of ops) f(p);
    return torchArchive(p.done(), { '0': new Uint8Array(16) }, {});
  });

const binInputs: fc.Arbitrary<FuzzInput> = fc
  .oneof(
    { weight: 3, arbitrary: randomPickle.map((bytes) => ({ how: 'pickle', bytes })) },
    { weight: 4, arbitrary: mutate(fc.constantFrom(...SEEDS_BIN)) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...SEEDS_BIN), fc.boolean()).map(([b]) => ({ how: 'seed', bytes: b })) },
  )
  .map((x) => ({ kind: 'bin' as const, ...x }));

/** adapter_config.json texts: random JSON, mutated fixture configs, odd field types and patterns. */
const configInputs: fc.Arbitrary<FuzzInput> = fc
  .oneof(
    fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null'),
    fc
      .tuple(
        fc.constantFrom(...SEED_CONFIGS, LLAMA_CONFIG),
        fc.constantFrom(
          'r',
          'lora_alpha',
          'use_rslora',
          'rank_pattern',
          'alpha_pattern',
          'target_modules',
          'modules_to_save',
          'peft_type',
          'fan_in_fan_out',
        ),
        fc.oneof(
          fc.jsonValue({ maxDepth: 2 }),
          fc.constantFrom(0, -4, 4, 2.5, 1e308, 'q_proj', '(', '[', '.*', 'a{99999}', { q_proj: 2 }, { '(': 2 }, { 'layers.1.self_attn.q_proj': 8 }, [
            'q_proj',
            'v_proj',
          ]),
        ),
      )
      .map(([text, field, value]) => JSON.stringify({ ...JSON.parse(text), [field]: value })),
    fc
      .tuple(fc.constantFrom(...SEED_CONFIGS), fc.nat(2000), fc.string({ maxLength: 3 }))
      .map(([t, at, s]) => t.slice(0, at % t.length) + s + t.slice((at % t.length) + 1)),
  )
  .map((text) => ({ kind: 'config' as const, how: 'config', bytes: new TextEncoder().encode(text) }));

export const fuzzInputs: fc.Arbitrary<FuzzInput> = fc.oneof(
  { weight: 5, arbitrary: safetensorsInputs },
  { weight: 3, arbitrary: binInputs },
  { weight: 2, arbitrary: configInputs },
);

export interface FuzzStats {
  total: number;
  byKind: Record<FuzzKind, { parsed: number; refused: number }>;
  largestRatio: number;
  slowestMs: number;
}

export function newStats(): FuzzStats {
  return {
    total: 0,
    byKind: { safetensors: { parsed: 0, refused: 0 }, config: { parsed: 0, refused: 0 }, bin: { parsed: 0, refused: 0 } },
    largestRatio: 0,
    slowestMs: 0,
  };
}

const HANG_MS = 2000;

function convertAll(tensors: Map<string, SafetensorsTensor>): void {
  for (const t of tensors.values()) tensorToFloat32(t);
}

/** Runs one input through the readers it is meant for. Throws (fails the property) on anything not allowed. */
function exercise(input: FuzzInput): void {
  const n = input.bytes.byteLength;
  // Parsing allocates nothing larger than the input (slack for fixed 8-byte scratch buffers).
  const strict = n + 64;
  const widen = 4 * n + 64;
  if (input.kind === 'safetensors') {
    const file = withAllocationLimit(strict, () => parseSafetensors(input.bytes)).value;
    withAllocationLimit(widen, () => convertAll(file.tensors));
    withAllocationLimit(widen, () => adapterFromTensors(LLAMA_CONFIG, file.tensors));
  } else if (input.kind === 'bin') {
    const tensors = withAllocationLimit(strict, () => readTorchStateDict(input.bytes)).value;
    withAllocationLimit(widen, () => convertAll(tensors));
    withAllocationLimit(widen, () => adapterFromTensors(T5_CONFIG, tensors));
  } else {
    const text = new TextDecoder().decode(input.bytes);
    const config = withAllocationLimit(strict, () => parsePeftConfig(text)).value;
    const { modules } = groupAdapterTensors(config, LLAMA_TENSORS);
    const adapter = adapterFromTensors(config, LLAMA_TENSORS);
    if (modules.length) serializePeftAdapter(adapter);
  }
}

/** The property: parses, or throws one of the package's typed errors, quickly and without big allocations. */
export function checkInput(input: FuzzInput, stats: FuzzStats): boolean {
  const t0 = performance.now();
  let refused = false;
  try {
    exercise(input);
  } catch (e) {
    if (!(e instanceof SafetensorsError || e instanceof AdapterFormatError)) {
      throw new Error(`${input.kind}/${input.how}: unexpected ${(e as Error)?.name}: ${(e as Error)?.message}`);
    }
    refused = true;
  }
  const ms = performance.now() - t0;
  stats.total++;
  stats.byKind[input.kind][refused ? 'refused' : 'parsed']++;
  stats.slowestMs = Math.max(stats.slowestMs, ms);
  if (ms > HANG_MS) throw new Error(`${input.kind}/${input.how}: took ${ms.toFixed(0)} ms`);
  return true;
}

/** Runs `numRuns` inputs; returns the statistics. Installs (and removes) the allocation guard. */
export function runFuzz(numRuns: number, seed?: number): FuzzStats {
  halfTable();
  f8Table('F8_E4M3');
  f8Table('F8_E5M2');
  const stats = newStats();
  const uninstall = installAllocationGuard();
  try {
    fc.assert(
      fc.property(fuzzInputs, (input) => checkInput(input, stats)),
      { numRuns, ...(seed === undefined ? {} : { seed }) },
    );
  } finally {
    uninstall();
  }
  return stats;
}
