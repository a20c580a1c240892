// The Gram worker thread: with it the kernels give bit-identical values and gradients (each Gram is computed by the
// same kernel calls in the same order, only on another thread), and switching it off leaves them on one thread.
import * as tf from '@tensorflow/tfjs';
import { describeEachBackend } from '@loragen/test-utils';
import { adapterLoss, lowRankInner, setSimdThreads, simdThreadsActive, spectralLoss } from '@loragen/weight-space';
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
      const { value, grads } = tf.variableGrads(() => tf.add(tf.sum(adapterLoss(pred, target, { reduction: 'none' })), tf.sum(lowRankInner(pred, target))) as tf.Scalar);
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
});
