// The Gram worker thread: with it the kernels give bit-identical values and gradients (each Gram is computed by the
// same kernel calls in the same order, only on another thread), and switching it off leaves them on one thread.
import * as tf from '@tensorflow/tfjs';
import { describeEachBackend } from '@loragen/test-utils';
import { adapterLoss, lowRankInner, setSimdThreads, simdThreadsActive, spectralLoss, truncatedSvdOfSum } from '@loragen/weight-space';
import { gramWorkerJobs } from '../src/host/gram-worker';

/** Waits (up to 5 s) for the worker started by the first simdThreadsActive() call to come up. */
async function workerUp(): Promise<boolean> {
  for (let i = 0; i < 100 && !simdThreadsActive(); i++) await new Promise((resolve) => setTimeout(resolve, 50));
  return simdThreadsActive();
}

describeEachBackend('Gram worker thread', (backend) => {
  if (backend === 'webgpu') {
    it('does not apply on webgpu, which runs the tfjs-ops implementation', () => expect(simdThreadsActive()).toBe(false));
    return;
  }
  afterAll(() => setSimdThreads(true));

  it('values and gradients are bit-identical with and without it (enough work to be handed over)', async () => {
    // 12 positions of 4096 x 1024 at r 8: the B side's Grams are about 6M multiply-adds, above the hand-over threshold
    const [positions, r, dIn, dOut] = [12, 8, 1024, 4096];
    const factors = (seed: number) => ({
      A: tf.randomNormal([positions, r, dIn], 0, 1, 'float32', seed),
      B: tf.randomNormal([positions, dOut, r], 0, 1, 'float32', seed + 1),
    });
    const [target, start] = [factors(1), factors(3)];
    const pred = { A: tf.variable(start.A), B: tf.variable(start.B) };
    const run = async () => {
      const { value, grads } = tf.variableGrads(
        () => tf.add(tf.sum(adapterLoss(pred, target, { reduction: 'none' })), tf.sum(lowRankInner(pred, target))) as tf.Scalar,
      );
      const out = [await value.data(), ...(await Promise.all(Object.values(grads).map((g) => g.data())))];
      tf.dispose([value, ...Object.values(grads)]);
      return out;
    };
    const spectral = async () => {
      const loss = spectralLoss(pred, target);
      const value = await loss.data();
      loss.dispose();
      return Array.from(value);
    };
    setSimdThreads(true);
    expect(await workerUp()).toBe(true);
    const jobsBefore = gramWorkerJobs();
    const threaded = await run();
    // the pair kernel and the inner-product kernel each handed their B side over
    expect(gramWorkerJobs() - jobsBefore).toBe(2);
    // the spectral loss hands two more over: it is compared threaded against single-threaded below
    const spectralThreaded = await spectral();
    expect(gramWorkerJobs() - jobsBefore).toBe(4);
    const jobsThreaded = gramWorkerJobs();
    setSimdThreads(false);
    expect(simdThreadsActive()).toBe(false);
    const single = await run();
    const spectralSingle = await spectral();
    // nothing more went to the worker once it was switched off
    expect(gramWorkerJobs()).toBe(jobsThreaded);
    threaded.forEach((values, i) => expect(Array.from(values)).toEqual(Array.from(single[i])));
    expect(spectralSingle).toEqual(spectralThreaded);
    tf.dispose([target.A, target.B, start.A, start.B, pred.A, pred.B]);
  });

  it('a truncated SVD of a sum shares its Grams and half its Jacobi sweeps with the worker, bit-identically', async () => {
    // 24 positions of 1024 x 1024, three rank-16 terms: R = 48, enough of both kinds of work to hand over
    const [positions, r, d] = [24, 16, 1024];
    const terms = [1, 3, 5].map((seed) => ({
      A: tf.randomNormal([positions, r, d], 0, 0.05, 'float32', seed),
      B: tf.randomNormal([positions, d, r], 0, 0.25, 'float32', seed + 1),
    }));
    const run = async () => {
      const out = await truncatedSvdOfSum(terms, { coefficients: [0.5, -0.3, 0.2], rank: 16 });
      const values = [Array.from(await out.factors.A.data()), Array.from(await out.factors.B.data()), out.singularValues.map((s) => Array.from(s))];
      tf.dispose([out.factors.A, out.factors.B]);
      return values;
    };
    setSimdThreads(true);
    expect(await workerUp()).toBe(true);
    const jobsBefore = gramWorkerJobs();
    const threaded = await run();
    expect(gramWorkerJobs() - jobsBefore).toBe(2); // the B side's Grams, then the first half's sweeps
    setSimdThreads(false);
    const single = await run();
    expect(threaded).toEqual(single);
    tf.dispose(terms.flatMap((t) => [t.A, t.B]));
  });
});
