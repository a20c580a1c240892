// Diagnostic: where does LoRAGen's zero-shot fail on skills? (scratch)
import * as tf from '@tensorflow/tfjs';
import { embedTasks, LoraGen, mergeAdapters, useBackend, type TaskTextEncoder } from '@loragen/core';
import { EvaluationHarness } from '../src/eval/harness';
import { RidgeDw } from '../src/eval/ridge-dw';
import { updateGram } from '../src/eval/update-inner';
import { compactConfig, libraryTextEncoder, withOverrides } from '../src/benchmark/methods';
import { benchLibrary, trainingTasks } from '../src/benchmark/libraries';
import { loadAssets } from '../src/cli/load-assets';
import { writeFileSync } from 'node:fs';

const [ae, df, seedArg, out, augArg] = process.argv.slice(2);
const AUG = Number(augArg ?? 0);
const DUP = Number(process.argv[7] ?? 1);
const EXTRA = JSON.parse(process.argv[8] ?? '{}');
const seed = Number(seedArg ?? 1);
async function emb(encoder: TaskTextEncoder, d: string[][]) {
  const t = await embedTasks(encoder, d);
  const v = (await t.data()) as Float32Array;
  t.dispose();
  return d.map((_, i) => Array.from(v.slice(i * encoder.dim, (i + 1) * encoder.dim)));
}
async function main() {
  await useBackend('wasm');
  const lib = benchLibrary('skills');
  const assets = await loadAssets(lib.assets);
  const training = trainingTasks(lib);
  const zs = lib.tasks.filter((t) => lib.zeroShot.includes(t.id));
  const entries = training.map((t) => assets.library.get(t.id)!);
  const adapters = entries.map((e) => e.adapter);
  const inner = libraryTextEncoder(training);
  const byName = new Map(training.map((t) => [t.id, t]));
  const encoder = {
    dim: inner.dim,
    async embed(texts: string[]) {
      const rows: number[][] = [];
      for (const text of texts) {
        if (!text.startsWith('\u0001aug:')) { rows.push(await vec([text], [1])); continue; }
        const [, ids, i] = text.split(':');
        const [a, b, c] = ids.split(',');
        const d = (id: string) => byName.get(id)!.descriptions[Number(i)];
        rows.push(await vec([d(a), d(b), d(c)], [1, 1, -1]));
      }
      return tf.tensor2d(rows, [rows.length, inner.dim]);
    },
  };
  async function vec(texts: string[], w: number[]) {
    const t = await inner.embed(texts);
    const v = (await t.array()) as number[][];
    t.dispose();
    return v[0].map((_, k) => v.reduce((s, r, j) => s + w[j] * r[k], 0));
  }
  let state = 12345;
  const rand = () => { state = (state * 1103515245 + 12345) % 2147483648; return state / 2147483648; };
  const augmented = [];
  for (let n = 0; n < AUG; n++) {
    const pick = new Set<number>();
    while (pick.size < 3) pick.add(Math.floor(rand() * training.length));
    const [a, b, c] = [...pick];
    const merged = (await mergeAdapters([entries[a].adapter, entries[b].adapter, entries[c].adapter], { weights: [1, 1, -1], rank: 4 })).adapter;
    const ids = [training[a].id, training[b].id, training[c].id].join(',');
    augmented.push({ name: `aug-${n}`, descriptions: training[a].descriptions.map((_, i) => `\u0001aug:${ids}:${i}`), adapter: merged });
  }
  const config = withOverrides(compactConfig(seed, { autoencoderSteps: Number(ae), diffusionSteps: Number(df) }), { sampling: { anchoring: { weight: 0 } } });
  const config2 = withOverrides(config as any, EXTRA);
  const t0 = Date.now();
  const gen = await LoraGen.fit([...Array.from({ length: DUP }, (_, k) => entries.map((e) => ({ ...e, name: `${e.name}#${k}` }))).flat(), ...augmented], config2, { textEncoder: encoder as any });
  const log: Record<string, unknown> = { fitSeconds: (Date.now() - t0) / 1000 };
  const harness = new EvaluationHarness(assets.base, assets.config, { seed, count: 512, examples: lib.examples(assets) });
  const mean = async (tasks: typeof zs, ads: any[]) => { let s = 0; for (let i = 0; i < tasks.length; i++) s += await harness.accuracy(tasks[i], ads[i]); return s / tasks.length; };
  const trainC = await emb(gen.textEncoder, training.map((t) => t.descriptions));
  const zsC = await emb(gen.textEncoder, zs.map((t) => t.descriptions));
  const ridge = RidgeDw.fit(trainC, updateGram(adapters));
  log.base = await mean(zs, zs.map(() => null));
  log.taskLora = await mean(zs, zs.map((t) => assets.library.get(t.id)!.adapter));
  // a. plain sampling
  const s = await gen.sampleLatents(zsC, { seed });
  log.sampled = await mean(zs, await gen.decode(s));
  // b. round trip of own (unseen) adapter
  const own = await gen.encode(zs.map((t) => assets.library.get(t.id)!.adapter));
  log.roundTripZeroShot = await mean(zs, await gen.decode(own));
  // c. ridge in latent space on posterior means
  const libLat = await gen.encode(adapters);
  const W = tf.tensor2d(zsC.map((q) => ridge.weights(q)));
  const flat = libLat.reshape([libLat.shape[0], -1]);
  const zr = tf.matMul(W, flat).reshape([zs.length, libLat.shape[1], libLat.shape[2]]) as tf.Tensor3D;
  log.ridgeLatent = await mean(zs, await gen.decode(zr));
  // c2. ridge in latent space on sampled training latents
  const trS = await gen.sampleLatents(trainC, { seed });
  const zr2 = tf.matMul(W, trS.reshape([trS.shape[0], -1])).reshape(zr.shape) as tf.Tensor3D;
  log.ridgeSampledLatent = await mean(zs, await gen.decode(zr2));
  // d. dW-space composition of generated training adapters
  const genTrain = await gen.decode(trS);
  const comp = [];
  for (const q of zsC) comp.push((await mergeAdapters(genTrain, { weights: ridge.weights(q), rank: 4 })).adapter);
  log.composedGenerated = await mean(zs, comp);
  // e. ridge-dw itself
  const rd = [];
  for (const q of zsC) rd.push(await ridge.adapter(q, adapters, 4));
  log.ridgeDw = await mean(zs, rd);
  // in-distribution sanity
  log.inDistSampled = await mean(training.slice(0, 16), genTrain.slice(0, 16));
  console.log(JSON.stringify(log));
  if (out) writeFileSync(out, JSON.stringify(log, null, 1));
}
main();
