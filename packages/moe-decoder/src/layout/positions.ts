// The layer-major position layout every decoder shares: position p = layer * modules.length + moduleIndex.
import * as tf from '@tensorflow/tfjs-core';
import { MoeDecoderError } from '../errors';

/**
 * One-hot rows [positions, modules] and [positions, layers] saying which module type and layer each position is.
 * Embedding lookups multiply these (tf.gather has no gradient on wasm).
 */
export function positionOneHots(numModules: number, layers: number): { module: tf.Tensor2D; layer: tf.Tensor2D } {
  const positions = numModules * layers;
  const module = new Float32Array(positions * numModules);
  const layer = new Float32Array(positions * layers);
  for (let p = 0; p < positions; p++) {
    module[p * numModules + (p % numModules)] = 1;
    layer[p * layers + Math.floor(p / numModules)] = 1;
  }
  return { module: tf.tensor2d(module, [positions, numModules]), layer: tf.tensor2d(layer, [positions, layers]) };
}

/** Rows of module type `moduleIndex` from per-position features [batch, positions, width]: [batch * layers, width]. */
export function moduleRows(x: tf.Tensor3D, moduleIndex: number, numModules: number, layers: number): tf.Tensor2D {
  const [batch, , width] = x.shape;
  const grid = tf.reshape(x, [batch, layers, numModules, width]);
  return tf.reshape(tf.slice(grid, [0, 0, moduleIndex, 0], [batch, layers, 1, width]), [batch * layers, width]);
}

/** Throws unless z is [batch, positions, latentDim]. */
export function checkLatents(z: tf.Tensor, positions: number, latentDim: number): void {
  if (z.rank !== 3 || z.shape[1] !== positions || z.shape[2] !== latentDim) {
    throw new MoeDecoderError(
      `decode expects z of shape [batch, ${positions}, ${latentDim}] (positions = layers x modules, layer-major), ` + `got [${z.shape.join(', ')}]`,
    );
  }
}
