import { join } from 'node:path';
import {
  adapterLayout,
  detectLayoutPreset,
  layoutDifference,
  modulePathOf,
  modulePosition,
  LAYOUT_PRESETS,
  type LayoutPresetName,
} from '@loragen/lora-io';
import { readPeftAdapter } from '@loragen/lora-io/node';
import { FIXTURES } from './helpers/fixtures';

test.each<[string, LayoutPresetName, string, ReturnType<typeof modulePosition>]>([
  [
    't5 encoder self-attention',
    't5',
    'base_model.model.encoder.block.1.layer.0.SelfAttention.q',
    { moduleType: 'q', layer: 1, block: 'encoder.self_attn' },
  ],
  [
    't5 decoder self-attention',
    't5',
    'base_model.model.decoder.block.0.layer.0.SelfAttention.v',
    { moduleType: 'v', layer: 0, block: 'decoder.self_attn' },
  ],
  [
    't5 cross-attention',
    't5',
    'base_model.model.decoder.block.1.layer.1.EncDecAttention.k',
    { moduleType: 'k', layer: 1, block: 'decoder.cross_attn' },
  ],
  ['t5 encoder ffn', 't5', 'encoder.block.3.layer.1.DenseReluDense.wi', { moduleType: 'wi', layer: 3, block: 'encoder.ffn' }],
  ['t5 decoder ffn (gated)', 't5', 'decoder.block.2.layer.2.DenseReluDense.wi_0', { moduleType: 'wi_0', layer: 2, block: 'decoder.ffn' }],
  ['llama attention', 'llama', 'base_model.model.model.layers.7.self_attn.o_proj', { moduleType: 'o_proj', layer: 7, block: 'self_attn' }],
  ['llama mlp', 'llama', 'base_model.model.model.layers.12.mlp.down_proj', { moduleType: 'down_proj', layer: 12, block: 'mlp' }],
  ['phi-3 fused qkv', 'llama', 'model.layers.0.self_attn.qkv_proj', { moduleType: 'qkv_proj', layer: 0, block: 'self_attn' }],
  ['gemma-3 language model', 'llama', 'model.language_model.layers.2.mlp.gate_proj', { moduleType: 'gate_proj', layer: 2, block: 'mlp' }],
  ['gpt2 attention', 'gpt2', 'base_model.model.transformer.h.10.attn.c_attn', { moduleType: 'c_attn', layer: 10, block: 'attn' }],
  ['gpt2 mlp', 'gpt2', 'transformer.h.3.mlp.c_fc', { moduleType: 'c_fc', layer: 3, block: 'mlp' }],
  [
    'distilbert (generic)',
    'generic',
    'base_model.model.distilbert.transformer.layer.5.attention.q_lin',
    { moduleType: 'q_lin', layer: 5, block: 'attention' },
  ],
  ['bert (generic)', 'generic', 'bert.encoder.layer.11.attention.self.query', { moduleType: 'query', layer: 11, block: 'attention.self' }],
  ['no layer index (generic)', 'generic', 'base_model.model.lm_head', { moduleType: 'lm_head', layer: -1, block: '' }],
])('%s', (_n, preset, name, position) => {
  expect(detectLayoutPreset([name])).toBe(preset);
  expect(modulePosition(name)).toEqual(position);
  expect(modulePosition(name, preset)).toEqual(position);
  const path = modulePathOf(position, preset);
  if (path !== undefined) expect(modulePosition(path, preset)).toEqual(position);
});

test('a name of another family falls back to the generic reading under a named preset', () => {
  expect(modulePosition('distilbert.transformer.layer.1.attention.v_lin', 't5')).toEqual({ moduleType: 'v_lin', layer: 1, block: 'attention' });
  expect(LAYOUT_PRESETS.t5.position('distilbert.transformer.layer.1.attention.v_lin')).toBeUndefined();
});

test('preset paths', () => {
  expect(modulePathOf({ moduleType: 'q', layer: 1, block: 'decoder.cross_attn' }, 't5')).toBe(
    'base_model.model.decoder.block.1.layer.1.EncDecAttention.q',
  );
  expect(modulePathOf({ moduleType: 'q_proj', layer: 0, block: 'self_attn' }, 'llama')).toBe('base_model.model.model.layers.0.self_attn.q_proj');
  expect(modulePathOf({ moduleType: 'c_attn', layer: 4, block: 'attn' }, 'gpt2')).toBe('base_model.model.transformer.h.4.attn.c_attn');
  expect(modulePathOf({ moduleType: 'q_lin', layer: 0, block: 'attention' }, 'generic')).toBeUndefined();
});

test.each<[string, LayoutPresetName, number]>([
  ['peft/t5-qv-r4', 't5', 12],
  ['peft/gemma2-qv-r4-rslora', 'llama', 4],
  ['peft/llama-qv-r4-fp16', 'llama', 4],
  ['real/gpt2-c_attn-seqcls', 'gpt2', 12],
  ['real/distilbert-emotion', 'generic', 12],
])('fixture %s has the %s layout', async (id, preset, count) => {
  const a = await readPeftAdapter(join(FIXTURES, id));
  const layout = adapterLayout(a.modules);
  expect(layout.preset).toBe(preset);
  expect(layout.modules).toHaveLength(count);
  // Sorted by layer, then block, then module type.
  const keys = layout.modules.map((m) => [m.position.layer, m.position.block, m.position.moduleType]);
  expect(keys).toEqual(
    [...keys].sort(
      (x, y) => (x[0] as number) - (y[0] as number) || String(x[1]).localeCompare(String(y[1])) || String(x[2]).localeCompare(String(y[2])),
    ),
  );
  expect(new Set(layout.modules.map((m) => `${m.position.layer}/${m.position.block}/${m.position.moduleType}`)).size).toBe(count);
});

test('layout differences are named', () => {
  const base = [
    { name: 'a.0.q', rank: 4, dIn: 8, dOut: 8 },
    { name: 'a.0.v', rank: 4, dIn: 8, dOut: 4 },
  ];
  const L = (m: typeof base) => adapterLayout(m);
  expect(layoutDifference(L(base), L(base))).toBeUndefined();
  expect(layoutDifference(L(base), L([base[0]]))).toBe("module 'a.0.v' is missing");
  expect(layoutDifference(L(base), L([...base, { name: 'a.1.q', rank: 4, dIn: 8, dOut: 8 }]))).toBe("module 'a.1.q' is extra");
  expect(layoutDifference(L(base), L([base[0], { ...base[1], rank: 2 }]))).toBe("module 'a.0.v' has rank 2 instead of 4");
  expect(layoutDifference(L(base), L([base[0], { ...base[1], dOut: 8 }]))).toMatch(/8x8 \(dOut x dIn\) instead of 4x8/);
});
