import * as tf from '@tensorflow/tfjs';
import { describeEachBackend, expectClose, seededNormals } from '@loragen/test-utils';
import { ModuleAwareMoEDecoder } from '../src';
import { gemmaLike, latents } from './helpers/layouts';

// The decoder's backward pass (its own matmul gradient, the zero-gradient top-K mask, the gated experts) against
// central differences of the loss, for a few entries of every kind of variable.
describeEachBackend('decoder gradients against finite differences', () => {
  it('matches central differences for embeddings, router, experts and heads', async () => {
    const decoder = new ModuleAwareMoEDecoder({
      ...gemmaLike,
      latentDim: 4,
      expertHidden: 8,
      head: 'factorised',
      headRank: 3,
      random: seededNormals(2),
    });
    const z = latents(1, decoder.positions, 4, 8);
    const probes = Object.fromEntries(
      gemmaLike.modules.flatMap((m, i) => [
        [`${m.name}/A`, tf.randomNormal([1, gemmaLike.layers, m.rank, m.dIn], 0, 1, 'float32', 20 + i)],
        [`${m.name}/B`, tf.randomNormal([1, gemmaLike.layers, m.dOut, m.rank], 0, 1, 'float32', 30 + i)],
      ]),
    );
    // linear in the factors, plus the balance loss: smooth wherever the top-K choice does not change
    const loss = (): tf.Scalar =>
      tf.tidy(() => {
        const out = decoder.decode(z, { step: 3 });
        const terms = Object.entries(out.factors).flatMap(([name, { A, B }]) => [
          tf.sum(tf.mul(A, probes[`${name}/A`])),
          tf.sum(tf.mul(B, probes[`${name}/B`])),
        ]);
        return tf.add(tf.addN(terms), out.auxLoss) as tf.Scalar;
      });
    const checked = ['embed/module', 'embed/layer', 'router/kernel', 'experts/hidden/kernel', 'experts/out/bias', 'heads/v_proj/basisB'];
    const { value, grads } = tf.variableGrads(
      loss,
      checked.map((n) => decoder.variables[n]),
    );
    value.dispose();
    // float32: eps 1e-3 keeps rounding error near 5e-4; with this seed no token's top-K choice flips within it
    // (at eps 1e-2 one does, and the difference quotient then measures the jump, not the gradient)
    const eps = 1e-3;
    for (const name of checked) {
      const variable = decoder.variables[name];
      const original = tf.clone(variable);
      const base = await original.data();
      const analytic = await grads[variable.name].data();
      const indices = [0, Math.floor(base.length / 2), base.length - 1];
      const numeric: number[] = [];
      for (const i of indices) {
        const at = async (delta: number): Promise<number> => {
          const shifted = Float32Array.from(base);
          shifted[i] += delta;
          variable.assign(tf.tensor(shifted, variable.shape));
          const l = loss();
          const v = (await l.data())[0];
          tf.dispose(l);
          return v;
        };
        numeric.push(((await at(eps)) - (await at(-eps))) / (2 * eps));
      }
      variable.assign(original);
      original.dispose();
      try {
        expectClose(
          indices.map((i) => analytic[i]),
          numeric,
          { rtol: 1e-2, atol: 2e-3 },
        );
      } catch (error) {
        throw new Error(`${name}: ${(error as Error).message}`);
      }
    }
    tf.dispose([z, probes, grads]);
    decoder.dispose();
  });
});
