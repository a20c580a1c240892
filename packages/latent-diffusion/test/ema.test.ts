import * as tf from '@tensorflow/tfjs';
import { describeEachBackend, expectNoLeaks } from '@loragen/test-utils';
import { ExponentialMovingAverage, LatentDiffusionError } from '../src';

describeEachBackend('ExponentialMovingAverage', () => {
  test('warm-up decay (1 + n) / (10 + n): hand-computed values 1.9 then 2.8', async () => {
    const w = tf.variable(tf.scalar(1));
    const ema = new ExponentialMovingAverage({ w }, { decay: 0.9 });
    expect(ema.currentDecay).toBeCloseTo(0.1, 12);
    w.assign(tf.scalar(2));
    ema.update(); // 0.1 * 1 + 0.9 * 2
    expect((await ema.averaged.w.data())[0]).toBeCloseTo(1.9, 6);
    w.assign(tf.scalar(3));
    ema.update(); // (2/11) * 1.9 + (9/11) * 3 = 30.8 / 11
    expect((await ema.averaged.w.data())[0]).toBeCloseTo(2.8, 6);
    expect(ema.step).toBe(2);
    ema.dispose();
    w.dispose();
  });

  test('without warm-up the decay is constant; after warm-up it is capped at decay', async () => {
    const w = tf.variable(tf.tensor1d([1, -1]));
    const ema = new ExponentialMovingAverage({ w }, { decay: 0.5, warmup: false });
    w.assign(tf.tensor1d([3, 1]));
    ema.update();
    w.assign(tf.tensor1d([5, 1]));
    ema.update(); // [1,-1] -> [2, 0] -> [3.5, 0.5]
    expect(Array.from(await ema.averaged.w.data())).toEqual([3.5, 0.5]);
    const warm = new ExponentialMovingAverage({ w }, { decay: 0.99 });
    for (let i = 0; i < 2000; i++) warm.update();
    expect(warm.currentDecay).toBe(0.99);
    tf.dispose([w]);
    ema.dispose();
    warm.dispose();
    expect(() => new ExponentialMovingAverage({}, { decay: 1.5 })).toThrow(LatentDiffusionError);
  });

  test('an EMA frees everything it allocated once disposed', async () => {
    const w = tf.variable(tf.tensor1d([1, 2, 3]));
    await expectNoLeaks(() => {
      const ema = new ExponentialMovingAverage({ w });
      ema.update();
      ema.dispose();
    });
    w.dispose();
  });

  /** A scalar parameter at 3 whose average is 2 (one update from 1 with decay 0.5). */
  function averagedTwoLiveThree() {
    const w = tf.variable(tf.scalar(1));
    const ema = new ExponentialMovingAverage({ w }, { decay: 0.5, warmup: false });
    w.assign(tf.scalar(3));
    ema.update();
    return { w, ema };
  }

  test('withAveragedWeights swaps the averages in and restores the trained values, also on error', async () => {
    const { w, ema } = averagedTwoLiveThree();
    await expectNoLeaks(async () => {
      const inside = await ema.withAveragedWeights(async () => (await w.data())[0]);
      expect(inside).toBe(2);
      await expect(ema.withAveragedWeights(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    });
    expect((await w.data())[0]).toBe(3);
    ema.dispose();
    w.dispose();
  });

  test('getState / setState: a restored EMA continues exactly as the one it was saved from', async () => {
    const w = tf.variable(tf.tensor1d([1, 2]));
    const a = new ExponentialMovingAverage({ w }, { decay: 0.9 });
    w.assign(tf.tensor1d([3, 5]));
    a.update();
    a.update();
    const saved = a.getState();
    const b = new ExponentialMovingAverage({ w }, { decay: 0.9 });
    b.setState({ step: saved.step, averages: { w: saved.averages.w } });
    expect(b.step).toBe(2);
    expect(b.currentDecay).toBe(a.currentDecay);
    w.assign(tf.tensor1d([-1, 4]));
    a.update();
    b.update();
    expect(Array.from(await b.averaged.w.data())).toEqual(Array.from(await a.averaged.w.data()));
    const wrong = tf.zeros([3]);
    expect(() => b.setState({ step: 1, averages: { w: wrong } })).toThrow(/'w' has shape \[3\], the model expects \[2\]/);
    expect(() => b.setState({ step: 1, averages: { v: wrong } })).toThrow(/missing 'w'; unexpected 'v'/);
    expect(() => b.setState({ step: -1, averages: { w: saved.averages.w } })).toThrow(LatentDiffusionError);
    expect(b.step).toBe(3); // a rejected state changes nothing
    tf.dispose([w, wrong]);
    a.dispose();
    b.dispose();
  });

  test('assignAveraged puts the averages into the live parameters for good', async () => {
    const { w, ema } = averagedTwoLiveThree();
    await expectNoLeaks(() => ema.assignAveraged());
    expect((await w.data())[0]).toBe(2);
    ema.dispose();
    w.dispose();
  });
});
