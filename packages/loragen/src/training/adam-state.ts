import * as tf from '@tensorflow/tfjs';

// tfjs optimisers keep their moments by position in the variable list, and Adam's setWeights recomputes its
// bias-correction powers as beta^(t+1) while training multiplies them step by step: the two differ in the last
// bits. For a bit-identical resume the running powers are saved and put back as they were.

interface AdamInternals {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
}

/** The optimiser's complete state as named tensors (`adam/iter`, `adam/000`..., `adam/accBeta1`, `adam/accBeta2`). */
export async function adamState(opt: tf.AdamOptimizer): Promise<Record<string, tf.Tensor>> {
  const weights = await opt.getWeights();
  const out: Record<string, tf.Tensor> = {};
  weights.forEach((w, i) => {
    out[i === 0 ? 'adam/iter' : `adam/${String(i - 1).padStart(4, '0')}`] = w.tensor;
  });
  const internals = opt as unknown as AdamInternals;
  out['adam/accBeta1'] = internals.accBeta1;
  out['adam/accBeta2'] = internals.accBeta2;
  return out;
}

/** Puts back a state from {@link adamState}; `tensors` stay owned by the caller. */
export async function restoreAdamState(opt: tf.AdamOptimizer, tensors: Record<string, tf.Tensor>): Promise<void> {
  const moments = Object.keys(tensors)
    .filter((k) => /^adam\/\d+$/.test(k))
    .sort()
    .map((k) => ({ name: k, tensor: tf.clone(tensors[k]) }));
  const list = [{ name: 'iter', tensor: tf.clone(tensors['adam/iter']) }, ...moments];
  await opt.setWeights(list);
  tf.dispose(list.map((w) => w.tensor)); // the optimiser's variables hold their own references
  const internals = opt as unknown as AdamInternals;
  internals.accBeta1.assign(tensors['adam/accBeta1']);
  internals.accBeta2.assign(tensors['adam/accBeta2']);
}
