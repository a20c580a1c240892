import * as tf from '@tensorflow/tfjs';
import { LoraAutoencoder, autoencoderLoss, trainingRng, resolveConfig, type FactorBatch } from '@loragen/core';
import { DiT, SeededRng, createSchedule, diffusionLoss, sample } from '@loragen/latent-diffusion';
import { ModuleAwareMoEDecoder } from '@loragen/moe-decoder';
import { adapterLoss, groupFactors } from '@loragen/weight-space';
import { type BenchLayout, positionsOf } from './layouts';
import { medianMs, seededTensor } from './timing';

export interface Measurement {
  workload: string;
  layout: string;
  ms: number;
  detail: string;
}

const LATENT = 64;
const COND = 1024;

function factorBatches(layout: BenchLayout, batch: number | null, seed: number): FactorBatch[] {
  const lead = batch === null ? [layout.layers] : [batch, layout.layers];
  return layout.modules.map((m, i) => ({
    A: seededTensor([...lead, m.rank, m.dIn], seed + 2 * i) as tf.Tensor4D,
    B: seededTensor([...lead, m.dOut, m.rank], seed + 2 * i + 1) as tf.Tensor4D,
  }));
}

/**
 * Angular + spectral loss (adapterLoss, paper weights), forward and backward through the predicted factors of every
 * position; module types of one rank grouped into one call, as core's stage-1 loss does.
 */
export async function factoredLoss(layout: BenchLayout, reps: number): Promise<Measurement> {
  const target = factorBatches(layout, null, 100);
  const init = factorBatches(layout, null, 200);
  const pred = init.map((f) => ({ A: tf.variable(f.A), B: tf.variable(f.B) }));
  tf.dispose(init.flatMap((f) => [f.A, f.B]));
  const step = async () => {
    const { value, grads } = tf.variableGrads(() => adapterLoss(groupFactors(pred), groupFactors(target)) as tf.Scalar);
    await value.data();
    tf.dispose([value, ...Object.values(grads)]);
  };
  const ms = await medianMs(step, reps);
  tf.dispose([...target.flatMap((t) => [t.A, t.B]), ...pred.flatMap((p) => [p.A, p.B])]);
  return { workload: 'loss fwd+bwd', layout: layout.id, ms, detail: `${positionsOf(layout)} positions, angular + spectral, types grouped` };
}

/** One Adam step of the LoRA autoencoder (encoders + module-aware MoE decoder, E = 4, K = 2). */
export async function stage1Step(layout: BenchLayout, batch: number, head: 'direct' | 'factorised', reps: number): Promise<Measurement> {
  const cfg = resolveConfig({}).autoencoder;
  const decoder = new ModuleAwareMoEDecoder({
    modules: layout.modules,
    layers: layout.layers,
    latentDim: LATENT,
    head,
    random: new SeededRng(0, { algorithm: 'mulberry32' }),
  });
  const lae = new LoraAutoencoder(decoder, cfg.encoderHidden, trainingRng(0));
  const targets = factorBatches(layout, batch, 300);
  const eps = seededTensor([batch, positionsOf(layout), LATENT], 7, 1);
  const names = layout.modules.map((m) => m.name);
  const opt = tf.train.adam(cfg.learningRate, cfg.beta1, cfg.beta2);
  let step = 0;
  const run = async () => {
    const cost = opt.minimize(
      () => {
        const posterior = lae.encode(targets);
        const z = tf.add(posterior.mean, tf.mul(tf.exp(tf.mul(posterior.logVar, 0.5)), eps)) as tf.Tensor3D;
        return autoencoderLoss(cfg, step, decoder.decode(z, { training: true, step }), targets, names, posterior).total;
      },
      true,
      lae.variables,
    )!;
    step++;
    await cost.data();
    cost.dispose();
  };
  const ms = await medianMs(run, reps);
  const params = lae.variables.reduce((s, v) => s + v.size, 0);
  opt.dispose();
  lae.dispose();
  tf.dispose([eps, ...targets.flatMap((t) => [t.A, t.B])]);
  const detail = `batch ${batch}, ${head} heads, ${(params / 1e6).toFixed(1)} M parameters`;
  return { workload: 'stage-1 step', layout: layout.id, ms, detail };
}

function denoiserFor(layout: BenchLayout): DiT {
  return new DiT({ tokens: positionsOf(layout), channels: LATENT, width: 64, depth: 4, heads: 8, condDim: COND, seed: 0 });
}

/** One Adam step of the DiT denoiser (4 blocks, width 64, 8 heads), v-prediction, batch 64. */
export async function stage2Step(layout: BenchLayout, reps: number): Promise<Measurement> {
  const dit = denoiserFor(layout);
  const schedule = createSchedule({ kind: 'linear', timesteps: 500, betaStart: 1e-5, betaEnd: 2e-2 });
  const batch = 64;
  const x0 = seededTensor([batch, positionsOf(layout), LATENT], 11, 1);
  const cond = seededTensor([batch, COND], 12, 1);
  const rng = new SeededRng(0);
  const opt = tf.train.adam(8e-5, 0.9, 0.99);
  const vars = Object.values(dit.variables) as tf.Variable[];
  const run = async () => {
    const cost = opt.minimize(() => diffusionLoss({ model: dit, x0, cond, schedule, rng, weighting: 'snr-ratio', condDropout: 0.1 }), true, vars)!;
    await cost.data();
    cost.dispose();
  };
  const ms = await medianMs(run, reps);
  opt.dispose();
  tf.dispose([x0, cond, ...vars]);
  return { workload: 'stage-2 step', layout: layout.id, ms, detail: `batch ${batch}, ${positionsOf(layout)} tokens x ${LATENT}` };
}

/** Text condition -> latents (sampler) -> factors of every position (frozen decoder), one adapter. */
export async function generation(layout: BenchLayout, sampler: 'dpmpp-2m' | 'ddpm', steps: number, reps: number): Promise<Measurement> {
  const dit = denoiserFor(layout);
  const decoder = new ModuleAwareMoEDecoder({
    modules: layout.modules,
    layers: layout.layers,
    latentDim: LATENT,
    random: new SeededRng(0, { algorithm: 'mulberry32' }),
  });
  const schedule = createSchedule({ kind: 'linear', timesteps: 500, betaStart: 1e-5, betaEnd: 2e-2 });
  const cond = seededTensor([1, COND], 13, 1);
  const run = async () => {
    const z = await sample({
      // the prepared plan (as core's generate samples): timestep and condition work once per run
      denoiser: dit.asDenoiser(),
      shape: [1, positionsOf(layout), LATENT],
      schedule,
      sampler,
      steps,
      cond,
      seed: 1,
    });
    const out = decoder.decode(z as tf.Tensor3D);
    const factors = Object.values(out.factors).flatMap((f) => [f.A, f.B]);
    await Promise.all(factors.map((f) => f.data()));
    tf.dispose([z, out.auxLoss, ...factors, ...Object.values(out.stats ?? {})]);
  };
  const ms = await medianMs(run, reps);
  tf.dispose([cond, ...(Object.values(dit.variables) as tf.Tensor[])]);
  decoder.dispose();
  return { workload: `generate ${sampler}-${steps}`, layout: layout.id, ms, detail: 'sample + decode, batch 1' };
}
