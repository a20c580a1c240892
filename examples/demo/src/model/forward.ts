// The base model's forward pass in tfjs ops, with an optional LoRA side path on any projection.
import * as tf from '@tensorflow/tfjs';
import { kvHeadsOf, type BaseModelConfig } from './config';
import { projectionPath } from './parameters';

/** Base weights as tensors, by name (see `parameterShapes`). */
export type ModelTensors = Map<string, tf.Tensor>;

/** A LoRA side path on one projection: y += scaling * (x A^T) B^T, A [r, in], B [out, r]. */
export interface LoraSidePath {
  A: tf.Tensor2D;
  B: tf.Tensor2D;
  scaling: number;
}

/** Side paths keyed by projection path (`model.layers.0.self_attn.q_proj`). */
export type LoraSidePaths = Map<string, LoraSidePath>;

const RMS_EPSILON = 1e-6;

function weight(params: ModelTensors, name: string): tf.Tensor {
  const w = params.get(name);
  if (!w) throw new RangeError(`base model weight '${name}' is missing`);
  return w;
}

function rmsNorm(x: tf.Tensor2D, gain: tf.Tensor): tf.Tensor2D {
  const meanSquare = tf.mean(tf.square(x), -1, true);
  return tf.mul(tf.mul(x, tf.rsqrt(tf.add(meanSquare, RMS_EPSILON))), gain) as tf.Tensor2D;
}

/** x [n, in] times W^T for W [out, in], plus the LoRA side path when one is attached. */
function project(x: tf.Tensor2D, params: ModelTensors, path: string, lora?: LoraSidePaths): tf.Tensor2D {
  const base = tf.matMul(x, weight(params, `${path}.weight`) as tf.Tensor2D, false, true) as tf.Tensor2D;
  const side = lora?.get(path);
  if (!side) return base;
  const low = tf.matMul(tf.matMul(x, side.A, false, true), side.B, false, true);
  return tf.add(base, tf.mul(low, side.scaling)) as tf.Tensor2D;
}

/**
 * Multi-head self-attention over [batch * length, width] rows (bidirectional). With grouped-query attention each
 * key / value head serves `heads / kvHeads` consecutive query heads.
 */
function selfAttention(
  h: tf.Tensor2D,
  params: ModelTensors,
  config: BaseModelConfig,
  layer: number,
  batch: number,
  lora?: LoraSidePaths,
): tf.Tensor2D {
  const { heads, width, inputLength: t } = config;
  const headWidth = width / heads;
  const group = heads / kvHeadsOf(config);
  const split = (x: tf.Tensor2D, n: number) => tf.transpose(tf.reshape(x, [batch, t, n, headWidth]), [0, 2, 1, 3]);
  // [batch, kvHeads, t, hw] -> [batch, heads, t, hw], each kv head repeated for its group of query heads (through
  // rank 4: tfjs has no rank-5 tile gradient)
  const shared = (x: tf.Tensor) =>
    group === 1 ? x : tf.reshape(tf.tile(tf.reshape(x, [batch, heads / group, 1, t * headWidth]), [1, 1, group, 1]), [batch, heads, t, headWidth]);
  const q = split(project(h, params, projectionPath(layer, 'q'), lora), heads);
  const k = shared(split(project(h, params, projectionPath(layer, 'k'), lora), heads / group));
  const v = shared(split(project(h, params, projectionPath(layer, 'v'), lora), heads / group));
  const scores = tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(headWidth));
  const mixed = tf.matMul(tf.softmax(scores, -1), v);
  const merged = tf.reshape(tf.transpose(mixed, [0, 2, 1, 3]), [batch * t, width]) as tf.Tensor2D;
  return project(merged, params, projectionPath(layer, 'o'), lora);
}

/**
 * Class logits [batch, classes] for token ids `tokens` [batch, inputLength]. Token embeddings are a one-hot matmul
 * (not tf.gather) so that training also runs on wasm, which lacks gather's gradient kernel.
 */
export function forward(tokens: tf.Tensor2D, params: ModelTensors, config: BaseModelConfig, lora?: LoraSidePaths): tf.Tensor2D {
  const [batch, t] = tokens.shape;
  if (t !== config.inputLength) throw new RangeError(`inputs have length ${t}, the model reads ${config.inputLength} tokens`);
  const oneHot = tf.oneHot(tf.reshape(tokens, [batch * t]), config.vocabularySize);
  const embedded = tf.matMul(tf.cast(oneHot, 'float32'), weight(params, 'model.embed_tokens.weight') as tf.Tensor2D);
  const positions = tf.tile(weight(params, 'model.embed_positions.weight'), [batch, 1]);
  let x = tf.add(embedded, positions) as tf.Tensor2D;
  for (let l = 0; l < config.layers; l++) {
    const prefix = `model.layers.${l}`;
    x = tf.add(x, selfAttention(rmsNorm(x, weight(params, `${prefix}.input_layernorm.weight`)), params, config, l, batch, lora));
    const h = rmsNorm(x, weight(params, `${prefix}.post_attention_layernorm.weight`));
    const up = tf.relu(project(h, params, projectionPath(l, 'up'), lora));
    x = tf.add(x, project(up, params, projectionPath(l, 'down'), lora));
  }
  // Read out at the last token (the prompt's argument slot).
  const last = tf.reshape(tf.slice(tf.reshape(x, [batch, t, config.width]), [0, t - 1, 0], [batch, 1, config.width]), [
    batch,
    config.width,
  ]) as tf.Tensor2D;
  const normed = rmsNorm(last, weight(params, 'model.norm.weight'));
  return tf.matMul(normed, weight(params, 'score.weight') as tf.Tensor2D, false, true);
}
