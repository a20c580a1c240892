import * as tf from '@tensorflow/tfjs';

/** Anything that turns task descriptions into condition vectors. Pass your own to `LoraGen.fit` / `LoraGen.load`. */
export interface TaskTextEncoder {
  /** Embedding width D. */
  readonly dim: number;
  /** One row per text: [texts.length, dim]. The caller disposes the tensor. */
  embed(texts: string[]): Promise<tf.Tensor2D>;
}

/**
 * Embeds each task's descriptions and averages them (the paper embeds up to 20 paraphrases one by one and
 * averages): returns [tasks, dim].
 */
export async function embedTasks(encoder: TaskTextEncoder, descriptionsPerTask: string[][]): Promise<tf.Tensor2D> {
  const all = await encoder.embed(descriptionsPerTask.flat());
  try {
    return taskMeans(all, descriptionsPerTask);
  } finally {
    all.dispose();
  }
}

/** The mean row of each task's descriptions, from their embeddings `all` ([descriptions, dim], task by task). */
export function taskMeans(all: tf.Tensor2D, descriptionsPerTask: string[][]): tf.Tensor2D {
  return tf.tidy(() => {
    const rows: tf.Tensor1D[] = [];
    let offset = 0;
    for (const descriptions of descriptionsPerTask) {
      rows.push(tf.mean(tf.slice(all, [offset, 0], [descriptions.length, -1]), 0) as tf.Tensor1D);
      offset += descriptions.length;
    }
    return tf.stack(rows) as tf.Tensor2D;
  });
}
