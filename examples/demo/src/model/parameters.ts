// Parameter names and shapes of the base model, in Hugging Face Llama naming so that LoRA module paths
// (`model.layers.L.self_attn.q_proj`) read as any PEFT user expects and lora-io's llama layout applies.
import { kvHeadsOf, type BaseModelConfig } from './config';
import type { Rng } from '../tasks/random';

/** Base model weights by name; projections are [out, in] like PyTorch's nn.Linear. */
export type WeightTable = Map<string, { shape: number[]; values: Float32Array }>;

/** A projection a LoRA can adapt: the attention's q, k, v, o and the MLP's up and down. */
export type Projection = 'q' | 'k' | 'v' | 'o' | 'up' | 'down';

/** The path of a projection inside layer `layer`, e.g. `model.layers.0.self_attn.q_proj`, `model.layers.0.mlp.up_proj`. */
export const projectionPath = (layer: number, projection: Projection): string =>
  `model.layers.${layer}.${projection === 'up' || projection === 'down' ? 'mlp' : 'self_attn'}.${projection}_proj`;

/** [out, in] of a projection's weight. */
export function projectionShape(config: BaseModelConfig, projection: Projection): [number, number] {
  const { width: d, mlpWidth: m } = config;
  const kv = (kvHeadsOf(config) * d) / config.heads;
  const shapes: Record<Projection, [number, number]> = { q: [d, d], k: [kv, d], v: [kv, d], o: [d, d], up: [m, d], down: [d, m] };
  return shapes[projection];
}

/** Every weight's name and shape, in file order. */
export function parameterShapes(config: BaseModelConfig): Array<[string, number[]]> {
  const d = config.width;
  const shapes: Array<[string, number[]]> = [
    ['model.embed_tokens.weight', [config.vocabularySize, d]],
    ['model.embed_positions.weight', [config.inputLength, d]],
  ];
  for (let l = 0; l < config.layers; l++) {
    shapes.push([`model.layers.${l}.input_layernorm.weight`, [d]]);
    for (const p of ['q', 'k', 'v', 'o'] as const) shapes.push([`${projectionPath(l, p)}.weight`, projectionShape(config, p)]);
    shapes.push([`model.layers.${l}.post_attention_layernorm.weight`, [d]]);
    for (const p of ['up', 'down'] as const) shapes.push([`${projectionPath(l, p)}.weight`, projectionShape(config, p)]);
  }
  shapes.push(['model.norm.weight', [d]], ['score.weight', [config.classes, d]]);
  return shapes;
}

/**
 * Fresh weights: norms at 1, embeddings N(0, 1), projections N(0, 1 / fan_in), and the projections that write
 * into the residual stream (o, down) further scaled by 1 / sqrt(2 layers) so the stream stays O(1) at init.
 */
export function initialWeights(config: BaseModelConfig, rng: Rng): WeightTable {
  const table: WeightTable = new Map();
  for (const [name, shape] of parameterShapes(config)) {
    const size = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    if (name.endsWith('norm.weight')) values.fill(1);
    else {
      const residualWrite = /(o_proj|down_proj)\.weight$/.test(name);
      const std = name.startsWith('model.embed') ? 1 : (1 / Math.sqrt(shape[1])) * (residualWrite ? 1 / Math.sqrt(2 * config.layers) : 1);
      for (let i = 0; i < size; i++) values[i] = rng.normal() * std;
    }
    table.set(name, { shape, values });
  }
  return table;
}
