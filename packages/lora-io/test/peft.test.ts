// adapter_config.json handling, PEFT's key conventions, patterns, DoRA, and what the writer puts in the config.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tempFolder } from '@loragen/test-utils';
import {
  AdapterFormatError,
  adapterFromTensors,
  configForModules,
  findPatternKey,
  loraScaling,
  moduleRankAlpha,
  parsePeftAdapter,
  parsePeftConfig,
  serializePeftAdapter,
  serializeSafetensors,
  type LoraAdapter,
  type LoraModule,
  type SafetensorsTensor,
} from '@loragen/lora-io';
import { readPeftAdapter, writePeftAdapter } from '@loragen/lora-io/node';

const f32 = (n: number, seed = 1) => Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 7.1 + i * 0.37));
const t = (shape: number[], values: Float32Array): SafetensorsTensor => ({ dtype: 'F32', shape, data: new Uint8Array(values.buffer) });

function mod(name: string, rank: number, dIn: number, dOut: number, alpha: number, rslora = false): LoraModule {
  return { name, rank, alpha, scaling: loraScaling(alpha, rank, rslora), dIn, dOut, A: f32(rank * dIn, rank), B: f32(dOut * rank, dOut) };
}

describe('config', () => {
  test('unknown fields are preserved; r and lora_alpha default to PEFT defaults', () => {
    const c = parsePeftConfig('{"peft_type":"LORA","some_future_field":{"x":[1,2]},"target_modules":"q|v"}');
    expect(c.some_future_field).toEqual({ x: [1, 2] });
    expect([c.r, c.lora_alpha]).toEqual([8, 8]);
  });
  test.each<[string, RegExp]>([
    ['[1]', /not a JSON object/],
    ['{', /not valid JSON/],
    ['{"peft_type":"IA3"}', /not 'LORA'/],
    ['{"r":0}', /r is 0/],
    ['{"r":2.5}', /r is 2.5/],
    ['{"lora_alpha":"8"}', /lora_alpha/],
    ['{"rank_pattern":{"q":-1}}', /rank_pattern\['q'\]/],
    ['{"alpha_pattern":[]}', /alpha_pattern is not an object/],
    ['{"target_modules":5}', /target_modules/],
    ['{"modules_to_save":"x"}', /modules_to_save/],
    ['{"use_rslora":"yes"}', /use_rslora/],
  ])('%s is refused', (text, message) => {
    expect(() => parsePeftConfig(text)).toThrow(AdapterFormatError);
    expect(() => parsePeftConfig(text)).toThrow(message);
  });

  test('patterns match as PEFT does: (.*\\.)?(key)$ from the start, first key in order wins', () => {
    const pats = { 'layers.1.self_attn.q_proj': 8, q_proj: 2, 'layers\\.[02]\\..*v_proj': 16 };
    expect(findPatternKey(pats, 'base_model.model.model.layers.1.self_attn.q_proj')).toBe('layers.1.self_attn.q_proj');
    expect(findPatternKey(pats, 'model.layers.3.self_attn.q_proj')).toBe('q_proj');
    expect(findPatternKey(pats, 'model.layers.2.self_attn.v_proj')).toBe('layers\\.[02]\\..*v_proj');
    expect(findPatternKey(pats, 'model.layers.1.self_attn.v_proj')).toBeUndefined();
    // Suffix on a dot boundary only: 'proj' does not match 'q_proj'.
    expect(findPatternKey({ proj: 1 }, 'model.layers.1.self_attn.q_proj')).toBeUndefined();
    // Order matters: the broad key first shadows the specific one.
    expect(findPatternKey({ q_proj: 2, 'layers.1.self_attn.q_proj': 8 }, 'model.layers.1.self_attn.q_proj')).toBe('q_proj');
    const config = parsePeftConfig({ r: 4, lora_alpha: 8, rank_pattern: { 'layers.1.self_attn.q_proj': 8 }, alpha_pattern: { v_proj: 32 } });
    expect(moduleRankAlpha(config, 'base_model.model.model.layers.1.self_attn.q_proj')).toEqual({ rank: 8, alpha: 8 });
    expect(moduleRankAlpha(config, 'base_model.model.model.layers.11.self_attn.q_proj')).toEqual({ rank: 4, alpha: 8 });
    expect(moduleRankAlpha(config, 'base_model.model.model.layers.0.self_attn.v_proj')).toEqual({ rank: 4, alpha: 32 });
  });
});

describe('adapters from tensors', () => {
  test('scaling after rank and alpha patterns, with rsLoRA', () => {
    const config = { r: 4, lora_alpha: 8, use_rslora: true, rank_pattern: { q: 9 }, alpha_pattern: { v: 6 } };
    const a = adapterFromTensors(
      config,
      new Map([
        ['base_model.model.enc.0.q.lora_A.weight', t([9, 3], f32(27))],
        ['base_model.model.enc.0.q.lora_B.weight', t([2, 9], f32(18))],
        ['base_model.model.enc.0.v.lora_A.weight', t([4, 3], f32(12))],
        ['base_model.model.enc.0.v.lora_B.weight', t([2, 4], f32(8))],
      ]),
    );
    expect(a.modules.map((m) => [m.name, m.rank, m.alpha, m.scaling])).toEqual([
      ['base_model.model.enc.0.q', 9, 8, 8 / 3],
      ['base_model.model.enc.0.v', 4, 6, 3],
    ]);
  });

  test('keys with the adapter name and without the base_model.model. prefix', () => {
    const a = adapterFromTensors(
      { r: 2, lora_alpha: 2 },
      new Map([
        ['model.layers.0.self_attn.q_proj.lora_A.default.weight', t([2, 3], f32(6))],
        ['model.layers.0.self_attn.q_proj.lora_B.default.weight', t([4, 2], f32(8))],
      ]),
    );
    expect(a.modules.map((m) => [m.name, m.dIn, m.dOut])).toEqual([['base_model.model.model.layers.0.self_attn.q_proj', 3, 4]]);
    // Written back the way PEFT saves it.
    const again = parsePeftAdapter(serializePeftAdapter(a).config, serializePeftAdapter(a).safetensors);
    expect(again.modules[0].name).toBe('base_model.model.model.layers.0.self_attn.q_proj');
  });

  test('DoRA magnitude vectors, in both key spellings, are exposed and written back', () => {
    for (const key of ['x.lora_magnitude_vector', 'x.lora_magnitude_vector.weight', 'x.lora_magnitude_vector.default.weight']) {
      const a = adapterFromTensors(
        { r: 2, lora_alpha: 4, use_dora: true },
        new Map([
          ['base_model.model.x.lora_A.weight', t([2, 3], f32(6))],
          ['base_model.model.x.lora_B.weight', t([5, 2], f32(10))],
          [`base_model.model.${key}`, t([5], f32(5, 3))],
        ]),
      );
      expect(a.modules[0].magnitude).toEqual(f32(5, 3));
      const { safetensors } = serializePeftAdapter(a);
      const back = parsePeftAdapter(JSON.stringify(a.config), safetensors);
      expect(back.modules[0].magnitude).toEqual(f32(5, 3));
      expect(new TextDecoder().decode(safetensors)).toContain('base_model.model.x.lora_magnitude_vector.weight');
    }
  });

  test.each<[string, [string, SafetensorsTensor][], RegExp]>([
    ['lora_A without lora_B', [['m.lora_A.weight', t([2, 3], f32(6))]], /has lora_A but no lora_B/],
    [
      'rank mismatch between A and B',
      [
        ['m.lora_A.weight', t([2, 3], f32(6))],
        ['m.lora_B.weight', t([3, 3], f32(9))],
      ],
      /rank 2 but lora_B has rank 3/,
    ],
    [
      'rank differs from config',
      [
        ['m.lora_A.weight', t([3, 3], f32(9))],
        ['m.lora_B.weight', t([3, 3], f32(9))],
      ],
      /rank 3 in its tensors but 2/,
    ],
    [
      'conv LoRA',
      [
        ['m.lora_A.weight', t([2, 3, 1, 1], f32(6))],
        ['m.lora_B.weight', t([3, 2, 1, 1], f32(6))],
      ],
      /2-D/,
    ],
    [
      'integer factors',
      [
        ['m.lora_A.weight', { dtype: 'I32', shape: [2, 1], data: new Uint8Array(8) }],
        ['m.lora_B.weight', t([1, 2], f32(2))],
      ],
      /floating point/,
    ],
    [
      'magnitude of the wrong length',
      [
        ['m.lora_A.weight', t([2, 3], f32(6))],
        ['m.lora_B.weight', t([4, 2], f32(8))],
        ['m.lora_magnitude_vector', t([3], f32(3))],
      ],
      /magnitude/,
    ],
  ])('refuses %s', (_n, tensors, message) => {
    expect(() => adapterFromTensors({ r: 2, lora_alpha: 2 }, new Map(tensors))).toThrow(message);
  });
});

describe('writing', () => {
  const dir = tempFolder('lora-io-peft-');

  test('a minimal generated adapter gets peft_type, target_modules, and patterns for odd ranks and alphas', async () => {
    const adapter: LoraAdapter = {
      config: { r: 4, lora_alpha: 8 },
      modules: [
        mod('base_model.model.model.layers.0.self_attn.q_proj', 4, 6, 6, 8),
        mod('model.layers.1.self_attn.q_proj', 2, 6, 6, 8),
        mod('base_model.model.model.layers.0.self_attn.v_proj', 4, 6, 3, 5),
      ],
    };
    const config = configForModules(adapter);
    expect(config.peft_type).toBe('LORA');
    expect(config.target_modules).toEqual(['q_proj', 'v_proj']);
    expect(config.rank_pattern).toEqual({ 'model\\.layers\\.1\\.self_attn\\.q_proj': 2 });
    expect(config.alpha_pattern).toEqual({ 'model\\.layers\\.0\\.self_attn\\.v_proj': 5 });
    expect(adapter.config).toEqual({ r: 4, lora_alpha: 8 }); // the caller's config is not modified
    await writePeftAdapter(join(dir(), 'gen'), adapter, { dtype: 'F32' });
    expect(readdirSync(join(dir(), 'gen')).sort()).toEqual(['adapter_config.json', 'adapter_model.safetensors']);
    const back = await readPeftAdapter(join(dir(), 'gen'));
    expect(back.modules.map((m) => [m.name, m.rank, m.alpha, m.scaling])).toEqual([
      ['base_model.model.model.layers.0.self_attn.q_proj', 4, 8, 2],
      ['base_model.model.model.layers.0.self_attn.v_proj', 4, 5, 1.25],
      ['base_model.model.model.layers.1.self_attn.q_proj', 2, 8, 4],
    ]);
    expect(JSON.parse(readFileSync(join(dir(), 'gen', 'adapter_config.json'), 'utf8'))).toEqual(config);
  });

  test('existing patterns are kept after the added module-specific ones', () => {
    const config = configForModules({
      config: { r: 4, lora_alpha: 8, rank_pattern: { q_proj: 4 } },
      modules: [mod('base_model.model.model.layers.1.self_attn.q_proj', 2, 6, 6, 8)],
    });
    expect(Object.keys(config.rank_pattern!)).toEqual(['model\\.layers\\.1\\.self_attn\\.q_proj', 'q_proj']);
  });

  test.each<[string, LoraAdapter, RegExp]>([
    [
      'scaling that alpha and rank do not give',
      { config: { r: 4, lora_alpha: 8 }, modules: [{ ...mod('a.q', 4, 2, 2, 8), scaling: 3 }] },
      /scaling 3 does not match/,
    ],
    ['A of the wrong size', { config: { r: 4, lora_alpha: 8 }, modules: [{ ...mod('a.q', 4, 2, 2, 8), A: new Float32Array(3) }] }, /A must be/],
    [
      'a module twice',
      { config: { r: 4, lora_alpha: 8 }, modules: [mod('a.q', 4, 2, 2, 8), mod('base_model.model.a.q', 4, 2, 2, 8)] },
      /appears twice/,
    ],
    [
      'a module target_modules does not select',
      { config: { r: 4, lora_alpha: 8, target_modules: ['v'] }, modules: [mod('a.q', 4, 2, 2, 8)] },
      /not selected by target_modules/,
    ],
    [
      'a regex target_modules that does not match',
      { config: { r: 4, lora_alpha: 8, target_modules: '.*\\.v' }, modules: [mod('a.q', 4, 2, 2, 8)] },
      /not selected/,
    ],
  ])('refuses %s', async (_n, adapter, message) => {
    expect(() => serializePeftAdapter(adapter)).toThrow(AdapterFormatError);
    await expect(writePeftAdapter(join(dir(), 'bad'), adapter)).rejects.toThrow(message);
  });

  test('an F16 / BF16 write stores the factors in that dtype', () => {
    const adapter: LoraAdapter = { config: { r: 2, lora_alpha: 2 }, modules: [mod('m.q', 2, 3, 4, 2)] };
    for (const dtype of ['F16', 'BF16'] as const) {
      const { safetensors } = serializePeftAdapter(adapter, { dtype });
      const header = JSON.parse(Buffer.from(safetensors.subarray(8, 8 + new DataView(safetensors.buffer).getUint32(0, true))).toString());
      expect(header['base_model.model.m.q.lora_A.weight'].dtype).toBe(dtype);
    }
  });

  test('the browser-safe serializer gives the bytes writePeftAdapter writes', async () => {
    const adapter: LoraAdapter = { config: { r: 2, lora_alpha: 2, target_modules: ['q'] }, modules: [mod('m.q', 2, 3, 4, 2)] };
    await writePeftAdapter(join(dir(), 'same'), adapter, { dtype: 'BF16' });
    const files = serializePeftAdapter(adapter, { dtype: 'BF16' });
    expect(Buffer.from(files.safetensors).equals(readFileSync(join(dir(), 'same', 'adapter_model.safetensors')))).toBe(true);
    expect(files.config).toBe(readFileSync(join(dir(), 'same', 'adapter_config.json'), 'utf8'));
  });

  test('the index entry point pulls in no node: module', () => {
    const src = readFileSync(require.resolve('../src/index.ts'), 'utf8');
    expect(src).not.toMatch(/from '\.\/node|node:/);
    // Walk the import graph of index.ts.
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      expect({ file, nodeImport: /from 'node:|require\('node:|from 'fs'/.test(text) }).toEqual({ file, nodeImport: false });
      for (const m of text.matchAll(/from '(\.[^']+)'/g)) visit(require.resolve(join(file, '..', m[1])));
    };
    visit(require.resolve('../src/index.ts'));
    expect(seen.size).toBeGreaterThan(5);
  });

  test('serializeSafetensors is re-exported for raw use', () => {
    expect(serializeSafetensors({}).byteLength).toBe(16);
  });
});
