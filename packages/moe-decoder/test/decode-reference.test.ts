import * as tf from '@tensorflow/tfjs';
import { describeEachBackend, expectClose, seededNormals } from '@loragen/test-utils';
import { ModuleAwareMoEDecoder } from '../src';
import { gemmaLike, latents, readValues } from './helpers/layouts';
import { referencePosition, type ReferenceSpec } from './helpers/reference-decoder';

describeEachBackend('decode against a plain-JS reference', () => {
  for (const head of ['direct', 'factorised'] as const) {
    it(`${head} head: every position's A and B, the gates and the balance loss match, layer-major`, async () => {
      const spec: ReferenceSpec = {
        ...gemmaLike,
        latentDim: 6,
        numExperts: 4,
        topK: 2,
        temperature: 1.35,
        expertHidden: 12,
        head,
        headRank: 5,
      };
      const decoder = new ModuleAwareMoEDecoder({ ...spec, temperature: { start: 1.5, end: 1.2, steps: 10 }, random: seededNormals(7) });
      const batch = 2;
      const z = latents(batch, decoder.positions, spec.latentDim, 3);
      // step 5 of 10 on 1.5 -> 1.2 is tau = 1.35
      const out = decoder.decode(z, { training: true, step: 5 });
      const state = decoder.stateDict();
      const values = await readValues(state);
      const zs = await z.array();
      const probSum = [0, 0, 0, 0];
      const slots = [0, 0, 0, 0];
      for (const [m, { name }] of spec.modules.entries()) {
        const A = (await out.factors[name].A.array()) as number[][][][];
        const B = (await out.factors[name].B.array()) as number[][][][];
        for (let b = 0; b < batch; b++) {
          for (let layer = 0; layer < spec.layers; layer++) {
            const ref = referencePosition(spec, values, zs[b][layer * spec.modules.length + m], layer * spec.modules.length + m);
            expectClose(A[b][layer], ref.A, { rtol: 1e-4, atol: 1e-5 });
            expectClose(B[b][layer], ref.B, { rtol: 1e-4, atol: 1e-5 });
            ref.probs.forEach((p, e) => (probSum[e] += p));
            ref.chosen.forEach((e) => (slots[e] += 1));
          }
        }
      }
      const tokens = batch * decoder.positions;
      const importance = probSum.map((s) => s / tokens);
      const load = slots.map((s) => s / (tokens * spec.topK));
      expectClose(await out.stats.expertImportance.data(), importance, { rtol: 1e-4, atol: 1e-6 });
      expectClose(await out.stats.expertLoad.data(), load, { rtol: 1e-6, atol: 0 });
      const balance = 4 * importance.reduce((s, p, e) => s + p * load[e], 0);
      expectClose(await out.auxLoss.data(), [Math.max(0, balance - 1)], { rtol: 1e-4, atol: 1e-6 });
      tf.dispose([z, state, out]);
      decoder.dispose();
    });
  }
});
