import * as tf from '@tensorflow/tfjs';
import { glorot, zeros } from '../model/variable-init';
import type { SeededRng } from '@loragen/latent-diffusion';
import { plainMatMul } from '@loragen/moe-decoder';

/** Log-variance range of the posterior (the reference's clamp). */
export const LOG_VAR_RANGE: [number, number] = [-30, 20];

/**
 * The encoder of one module type: A and B of each layer, flattened, through Linear(r*dIn) + Linear(dOut*r)
 * -> ReLU -> Linear(2 x latent): a diagonal Gaussian (mean, log-variance) per position.
 */
export class ModuleEncoder {
  readonly variables: Record<string, tf.Variable>;

  constructor(
    private readonly spec: { rank: number; dIn: number; dOut: number },
    hidden: number,
    private readonly latentDim: number,
    rng: SeededRng,
  ) {
    const aIn = spec.rank * spec.dIn;
    const bIn = spec.dOut * spec.rank;
    this.variables = {
      'a/kernel': glorot(rng, aIn, hidden),
      'b/kernel': glorot(rng, bIn, hidden),
      'hidden/bias': zeros(hidden),
      'out/kernel': glorot(rng, hidden, 2 * latentDim),
      'out/bias': zeros(2 * latentDim),
    };
  }

  /** A [batch, layers, r, dIn], B [batch, layers, dOut, r] -> mean and log-variance, each [batch, layers, latent]. */
  encode(A: tf.Tensor4D, B: tf.Tensor4D): { mean: tf.Tensor3D; logVar: tf.Tensor3D } {
    return tf.tidy(() => {
      const [batch, layers] = A.shape;
      const v = this.variables;
      const a = tf.reshape(A, [batch * layers, this.spec.rank * this.spec.dIn]);
      const b = tf.reshape(B, [batch * layers, this.spec.dOut * this.spec.rank]);
      // plain products: tfjs's own matMul gradient runs transposed products, several times slower on wasm
      const product = (x: tf.Tensor2D, name: string) => plainMatMul(x, v[name] as tf.Tensor2D);
      const h = tf.relu(tf.add(tf.add(product(a as tf.Tensor2D, 'a/kernel'), product(b as tf.Tensor2D, 'b/kernel')), v['hidden/bias']));
      const out = tf.reshape(tf.add(product(h as tf.Tensor2D, 'out/kernel'), v['out/bias']), [batch, layers, 2 * this.latentDim]);
      const mean = tf.slice(out, [0, 0, 0], [-1, -1, this.latentDim]) as tf.Tensor3D;
      const logVar = tf.clipByValue(tf.slice(out, [0, 0, this.latentDim], [-1, -1, this.latentDim]), ...LOG_VAR_RANGE) as tf.Tensor3D;
      return { mean, logVar };
    });
  }
}
