import type * as tf from '@tensorflow/tfjs-core';

/** The function type `tf.customGrad` takes (tfjs-core does not export it by name). */
export type CustomGradientFunc<T extends tf.Tensor> = Parameters<typeof tf.customGrad<T>>[0];
