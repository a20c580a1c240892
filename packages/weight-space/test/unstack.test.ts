// unstackFirst, behind groupFactors' gradient: the same tensors as tf.unstack, on every backend (cpu and wasm copy
// the blocks in the heap, others call tf.unstack).
import * as tf from '@tensorflow/tfjs';
import { describeEachBackend, expectNoLeaks } from '@loragen/test-utils';
import { simdKernelsActive, unstackFirst } from '../src/host/registry';

describeEachBackend('unstackFirst', (backend) => {
  it("gives tf.unstack's tensors, shapes and values, and leaks nothing", async () => {
    expect(simdKernelsActive()).toBe(backend !== 'webgpu');
    const x = tf.randomNormal([3, 2, 5, 4], 0, 1, 'float32', 7);
    const [ours, theirs] = [unstackFirst(x), tf.unstack(x)];
    expect(ours).toHaveLength(3);
    for (let g = 0; g < 3; g++) {
      expect(ours[g].shape).toEqual([2, 5, 4]);
      expect(Array.from(await ours[g].data())).toEqual(Array.from(await theirs[g].data()));
    }
    tf.dispose([...ours, ...theirs]);
    await expectNoLeaks(async () => tf.dispose(unstackFirst(x)));
    x.dispose();
  });
});
