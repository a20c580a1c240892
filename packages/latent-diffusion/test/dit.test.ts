import * as tf from '@tensorflow/tfjs';
import { describeEachBackend, expectClose, expectNoLeaks } from '@loragen/test-utils';
import { DiT, SeededRng, LatentDiffusionError } from '../src';
import { perturb } from './helpers/perturb';

const small = { tokens: 5, channels: 3, width: 16, depth: 2, heads: 4, condDim: 6, timeFeatures: 8 };

function inputs(batch: number, seed = 1) {
  const rng = new SeededRng(seed);
  return {
    xt: tf.tensor3d(rng.normals(batch * 5 * 3), [batch, 5, 3]),
    t: tf.tensor1d(
      Array.from({ length: batch }, (_, i) => 7 * i + 3),
      'int32',
    ),
    cond: tf.tensor2d(rng.normals(batch * 6), [batch, 6]),
  };
}

async function read(t: tf.Tensor): Promise<number[]> {
  const v = Array.from(await t.data());
  t.dispose();
  return v;
}

describeEachBackend('DiT denoiser', () => {
  test('adaLN-Zero: a fresh model predicts exactly zero, with the input shape', async () => {
    const model = new DiT(small);
    const { xt, t, cond } = inputs(2);
    const out = model.predict(xt, t, cond);
    expect(out.shape).toEqual([2, 5, 3]);
    expect((await read(out)).every((v) => v === 0)).toBe(true);
    tf.dispose([xt, t, cond]);
    model.dispose();
  });

  test('the output depends on x_t, the timestep and the condition', async () => {
    const model = new DiT(small);
    perturb(model, 3);
    const { xt, t, cond } = inputs(2);
    const base = await read(model.predict(xt, t, cond));
    const t2 = tf.add(t, 50);
    const c2 = tf.mul(cond, -1);
    const x2 = tf.mul(xt, 0.5);
    const differs = (a: number[], b: number[]) => a.some((v, i) => Math.abs(v - b[i]) > 1e-4);
    expect(differs(base, await read(model.predict(xt, t2, cond)))).toBe(true);
    expect(differs(base, await read(model.predict(xt, t, c2)))).toBe(true);
    expect(differs(base, await read(model.predict(x2, t, cond)))).toBe(true);
    tf.dispose([xt, t, cond, t2, c2, x2]);
    model.dispose();
  });

  test('null condition = learned null embedding: cond null equals keep = 0; keep = 1 equals no mask', async () => {
    const model = new DiT(small);
    perturb(model, 4);
    const { xt, t, cond } = inputs(3);
    const tol = { rtol: 1e-4, atol: 1e-5 };
    const uncond = await read(model.predict(xt, t, null));
    const dropped = await read(model.predict(xt, t, cond, tf.zeros([3])));
    expectClose(dropped, uncond, tol);
    const kept = await read(model.predict(xt, t, cond, tf.ones([3])));
    expectClose(kept, await read(model.predict(xt, t, cond)), tol);
    // A mixed mask treats each row on its own.
    const mixed = await read(model.predict(xt, t, cond, tf.tensor1d([1, 0, 1])));
    expectClose(mixed.slice(15, 30), uncond.slice(15, 30), tol);
    expectClose(mixed.slice(0, 15), kept.slice(0, 15), tol);
    tf.dispose([xt, t, cond]);
    model.dispose();
  });

  test('cross-attention: condition tokens matter, their order does not (attention and pooling are symmetric)', async () => {
    const model = new DiT({ ...small, crossAttention: true });
    perturb(model, 5);
    const { xt, t } = inputs(2);
    const rng = new SeededRng(9);
    const tokens = tf.tensor3d(rng.normals(2 * 4 * 6), [2, 4, 6]);
    const reversed = tf.reverse(tokens, 1);
    const changed = tf.add(tokens, tf.oneHot(tf.tensor1d([1, 1], 'int32'), 4).reshape([2, 4, 1]));
    const base = await read(model.predict(xt, t, tokens));
    expectClose(await read(model.predict(xt, t, reversed)), base, { rtol: 1e-4, atol: 1e-5 });
    const other = await read(model.predict(xt, t, changed));
    expect(other.some((v, i) => Math.abs(v - base[i]) > 1e-4)).toBe(true);
    tf.dispose([xt, t, tokens, reversed, changed]);
    model.dispose();
  });

  test('stateDict / loadStateDict round trip reproduces the outputs; mismatches are refused', async () => {
    const a = new DiT(small);
    perturb(a, 6);
    const b = new DiT({ ...small, seed: 99 });
    const state = a.stateDict();
    expect(Object.keys(state)).toContain('blocks.1.qkv.kernel');
    expect(Object.keys(state)).toContain('cond.null');
    b.loadStateDict(state);
    const { xt, t, cond } = inputs(2);
    expectClose(await read(b.predict(xt, t, cond)), await read(a.predict(xt, t, cond)), { rtol: 1e-6, atol: 1e-7 });
    const wrong = new DiT({ ...small, width: 8, heads: 2 });
    expect(() => wrong.loadStateDict(state)).toThrow(/has shape \[3,16\], the model expects \[3,8\]/);
    const { ['posEmbed']: missing, ...partial } = state;
    expect(() => b.loadStateDict(partial)).toThrow(/missing 'posEmbed'/);
    tf.dispose([...Object.values(state), xt, t, cond]);
    [a, b, wrong].forEach((m) => m.dispose());
    void missing;
  });

  test('gradients match central finite differences', async () => {
    const model = new DiT(small);
    perturb(model, 7, 0.2);
    const { xt, t, cond } = inputs(2);
    const weights = tf.tensor3d(new SeededRng(2).normals(30), [2, 5, 3]);
    const keep = tf.tensor1d([1, 0]); // the second row uses the null embedding, so it gets a gradient too
    const f = () => tf.sum(tf.mul(model.predict(xt, t, cond, keep), weights)) as tf.Scalar;
    const { grads } = tf.variableGrads(f);
    const h = 1e-2;
    const names = [
      'posEmbed',
      'blocks.0.qkv.kernel',
      'blocks.1.fc1.kernel',
      'cond.null',
      'final.out.kernel',
      'blocks.0.fc1.bias',
      'blocks.1.adaLN.kernel',
      'final.adaLN.bias',
      'time.fc1.bias',
    ];
    for (const name of names) {
      const v = model.variables[name];
      const g = await grads[v.name].data();
      const original = await v.data();
      for (const index of [0, Math.floor(v.size / 2)]) {
        const shifted = async (delta: number) => {
          const copy = Float32Array.from(original);
          copy[index] += delta;
          tf.tidy(() => v.assign(tf.tensor(copy, v.shape)));
          return (await read(f()))[0];
        };
        const numeric = ((await shifted(h)) - (await shifted(-h))) / (2 * h);
        tf.tidy(() => v.assign(tf.tensor(original, v.shape)));
        expectClose(g[index], numeric, { rtol: 0.03, atol: 2e-3 });
      }
    }
    tf.dispose([...Object.values(grads), xt, t, cond, weights, keep]);
    model.dispose();
  });

  test('predict leaks nothing; bad configs and inputs give typed errors', async () => {
    const model = new DiT(small);
    const { xt, t, cond } = inputs(2);
    await expectNoLeaks(() => model.predict(xt, t, cond).dispose());
    expect(() => model.predict(tf.zeros([2, 4, 3]), t, cond)).toThrow(/xt must be \[batch, 5, 3\]/);
    expect(() => model.predict(xt, t, tf.zeros([2, 7]))).toThrow(/cond must be \[2, 6\] or \[2, M, 6\]/);
    expect(() => new DiT({ ...small, heads: 5 })).toThrow(LatentDiffusionError);
    expect(() => new DiT({ tokens: 4, channels: 2, crossAttention: true })).toThrow(/crossAttention needs condDim/);
    tf.dispose([xt, t, cond]);
    model.dispose();
  });
});
