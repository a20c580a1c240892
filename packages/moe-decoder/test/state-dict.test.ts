import * as tf from '@tensorflow/tfjs';
import { describeEachBackend, seededNormals } from '@loragen/test-utils';
import { assignStateDict, ModuleAwareMoEDecoder, SharedMLPDecoder, StateDictError, type LoraDecoder } from '../src';
import { gemmaLike, latents, readValues } from './helpers/layouts';

const small = { ...gemmaLike, latentDim: 8 };

async function decodedValues(decoder: LoraDecoder, z: tf.Tensor3D): Promise<number[]> {
  const out = decoder.decode(z);
  const parts = Object.values(out.factors).flatMap(({ A, B }) => [A, B]);
  const values = (await Promise.all(parts.map((t) => t.data()))).flatMap((d) => Array.from(d));
  tf.dispose(out);
  return values;
}

describeEachBackend('state dict', () => {
  const makers: Record<string, (seed: number) => LoraDecoder> = {
    ModuleAwareMoEDecoder: (seed) =>
      new ModuleAwareMoEDecoder({ ...small, expertHidden: 16, head: 'factorised', headRank: 4, random: seededNormals(seed) }),
    SharedMLPDecoder: (seed) => new SharedMLPDecoder({ ...small, hidden: 16, random: seededNormals(seed) }),
  };

  for (const [kind, make] of Object.entries(makers)) {
    it(`${kind}: loadStateDict(stateDict()) into a differently seeded decoder reproduces values and outputs exactly`, async () => {
      const source = make(1);
      const other = make(2);
      const z = latents(2, 6, 8, 4);
      expect(await decodedValues(other, z)).not.toEqual(await decodedValues(source, z));
      const state = source.stateDict();
      expect(Object.keys(state)).toEqual(Object.keys(source.variables));
      other.loadStateDict(state);
      expect(await readValues(other.stateDict())).toEqual(await readValues(state));
      expect(await decodedValues(other, z)).toEqual(await decodedValues(source, z));
      tf.dispose([z, state]);
      source.dispose();
      other.dispose();
    });
  }

  it('the same seed gives the same variables; the router is named so', async () => {
    const a = makers.ModuleAwareMoEDecoder(5);
    const b = makers.ModuleAwareMoEDecoder(5);
    expect(await readValues(a.variables)).toEqual(await readValues(b.variables));
    expect(Object.keys(a.variables).filter((n) => n.includes('router'))).toEqual(['router/kernel', 'router/bias']);
    a.dispose();
    b.dispose();
  });

  it('rejects missing, unexpected and misshaped entries with a StateDictError and changes nothing', async () => {
    const decoder = makers.ModuleAwareMoEDecoder(1);
    const before = await readValues(decoder.variables);
    const state = decoder.stateDict();
    const { 'router/bias': dropped, ...missing } = state;
    expect(() => decoder.loadStateDict(missing)).toThrow(/missing \[router\/bias\]/);
    const extra = { ...state, 'router/extra': tf.zeros([1]) };
    expect(() => decoder.loadStateDict(extra)).toThrow(/unexpected \[router\/extra\]/);
    const misshaped = { ...state, 'heads/v_proj/basisB': tf.zeros([4, 9]) };
    expect(() => decoder.loadStateDict(misshaped)).toThrow(StateDictError);
    expect(() => decoder.loadStateDict(misshaped)).toThrow(/'heads\/v_proj\/basisB' has shape \[4, 9\].*\[4, 8\]/);
    expect(await readValues(decoder.variables)).toEqual(before);
    tf.dispose([state, dropped, extra['router/extra'], misshaped['heads/v_proj/basisB']]);
    decoder.dispose();
  });

  it('assignStateDict checks any named variables the same way, naming their owner', async () => {
    const w = tf.variable(tf.zeros([2]));
    const one = tf.ones([2]);
    const three = tf.ones([3]);
    expect(() => assignStateDict({ w }, { w: three }, 'the encoder')).toThrow(/'w' has shape \[3\], the encoder needs \[2\]/);
    expect(() => assignStateDict({ w }, { v: one }, 'the encoder')).toThrow(/does not match the encoder: missing \[w\], unexpected \[v\]/);
    assignStateDict({ w }, { w: one });
    expect(Array.from(await w.data())).toEqual([1, 1]);
    tf.dispose([w, one, three]);
  });
});
