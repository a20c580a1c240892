// An affine layer y = x W + b over the last axis, its weights in a ParameterStore.
import * as tf from '@tensorflow/tfjs-core';
import type { ParameterStore } from '../parameters/parameter-store';
import { plainMatMul } from './plain-matmul';

export type Linear = (x: tf.Tensor2D) => tf.Tensor2D;

/** Creates `${name}/kernel` [inDim, outDim] ~ N(0, 1/inDim) and `${name}/bias` [outDim] = 0. */
export function linear(store: ParameterStore, name: string, inDim: number, outDim: number): Linear {
  const kernel = store.normal(`${name}/kernel`, [inDim, outDim], 1 / Math.sqrt(inDim));
  const bias = store.zeros(`${name}/bias`, [outDim]);
  return (x) => tf.add(plainMatMul(x, kernel as tf.Tensor2D), bias);
}

/** SiLU (swish), x * sigmoid(x): the experts' activation in the reference. */
export function silu<T extends tf.Tensor>(x: T): T {
  return tf.mul(x, tf.sigmoid(x));
}
