import * as tf from '@tensorflow/tfjs';
import { describeEachBackend, seededNormals } from '@loragen/test-utils';
import { ModuleAwareMoEDecoder, SharedMLPDecoder, type LoraDecoder } from '../src';
import { gemmaLike, latents, t5Like } from './helpers/layouts';

function expectFactorShapes(decoder: LoraDecoder, factors: Record<string, { A: tf.Tensor; B: tf.Tensor }>, batch: number): void {
  expect(Object.keys(factors)).toEqual(decoder.modules.map((m) => m.name));
  for (const m of decoder.modules) {
    expect(factors[m.name].A.shape).toEqual([batch, decoder.layers, m.rank, m.dIn]);
    expect(factors[m.name].B.shape).toEqual([batch, decoder.layers, m.dOut, m.rank]);
  }
}

describeEachBackend('decode output shapes', () => {
  const layouts = { 'FLAN-T5-like (6 module types)': t5Like, 'Gemma-2-like (q and v differ in dOut)': gemmaLike };
  for (const [title, layout] of Object.entries(layouts)) {
    for (const head of ['direct', 'factorised'] as const) {
      it(`${title}, ${head} head: A [batch, layers, r, dIn], B [batch, layers, dOut, r], stats per expert`, async () => {
        const decoder = new ModuleAwareMoEDecoder({
          random: seededNormals(0),
          ...layout,
          latentDim: 8,
          expertHidden: 16,
          head,
          headRank: 4,
          numExperts: 3,
        });
        const z = latents(2, decoder.positions, 8, 1);
        const out = decoder.decode(z, { training: true, step: 0 });
        expectFactorShapes(decoder, out.factors, 2);
        expect(out.auxLoss.shape).toEqual([]);
        expect(out.stats.expertLoad.shape).toEqual([3]);
        expect(out.stats.expertImportance.shape).toEqual([3]);
        expect(out.stats.routerEntropy.shape).toEqual([]);
        const load = await out.stats.expertLoad.data();
        expect(Array.from(load).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
        tf.dispose([z, out]);
        decoder.dispose();
      });
    }
  }

  it('SharedMLPDecoder gives the same shapes for module types of different sizes, and no auxiliary loss', async () => {
    const decoder = new SharedMLPDecoder({ random: seededNormals(0), ...gemmaLike, latentDim: 8, hidden: 16 });
    const z = latents(2, decoder.positions, 8, 2);
    const out = decoder.decode(z);
    expectFactorShapes(decoder, out.factors, 2);
    expect(await out.auxLoss.data()).toEqual(new Float32Array([0]));
    expect(out.stats).toBeUndefined();
    tf.dispose([z, out]);
    decoder.dispose();
  });
});
