// Benchmark of @loragen/core (built package): generating one adapter for the FLAN-T5-large layout
// (6 module types x 24 layers = 144 positions of 1024 x 1024 at r = 16, latent 64) on wasm, DPM-Solver++(2M)
// 20 steps against the reference's 500-step DDPM in the same run, plus the 288 x 64 latent set of the reference
// (one latent per factor) sampled with the same denoiser. Prints a Markdown table and writes
// <repo>/benchmarks/core.md.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { createSchedule, DiT, sample } from '@loragen/latent-diffusion';
import { LoraGen, trainingRng, useBackend } from '../dist/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const RUNS = 5;

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function time(fn, runs = RUNS) {
  await fn(); // warm-up: kernels compiled, buffers allocated
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return median(times);
}

/** Two random tasks in the FLAN-T5-large layout (enough to build and step a model; timing only). */
function flanT5LargeLibrary() {
  const rng = trainingRng(1);
  const blocks = [
    ['encoder', 0, 'SelfAttention'],
    ['decoder', 0, 'SelfAttention'],
    ['decoder', 1, 'EncDecAttention'],
  ];
  return ['task-a', 'task-b'].map((name) => {
    const modules = [];
    for (let l = 0; l < 24; l++) {
      for (const [stack, sub, kind] of blocks) {
        for (const proj of ['q', 'v']) {
          modules.push({
            name: `base_model.model.${stack}.block.${l}.layer.${sub}.${kind}.${proj}`,
            rank: 16,
            alpha: 32,
            scaling: 2,
            dIn: 1024,
            dOut: 1024,
            A: rng.uniforms(16 * 1024, 0.03),
            B: rng.uniforms(1024 * 16, 0.03),
          });
        }
      }
    }
    return {
      name,
      descriptions: [`solve ${name}`],
      adapter: { config: { peft_type: 'LORA', r: 16, lora_alpha: 32, target_modules: ['q', 'v'] }, modules },
    };
  });
}

// An untrained model of the right size (0 training steps): generation time does not depend on the weights.
const backend = await useBackend('wasm');
const gen = await LoraGen.fit(flanT5LargeLibrary(), { autoencoder: { steps: 0 }, diffusion: { steps: 0 } });
const description = 'Classify the sentiment of a movie review';
const positions = gen.layout.modulePaths.length;
const rows = [];
const dpm = await time(() => gen.generate(description, { sampler: 'dpmpp-2m', steps: 20 }));
const ddim = await time(() => gen.generate(description, { sampler: 'ddim', steps: 50 }));
const ddpm = await time(() => gen.generate(description, { sampler: 'ddpm', steps: 500 }), 1);
rows.push([`generate, ${positions} x 64 latents (ours), DPM-Solver++(2M) 20 steps`, dpm, ddpm / dpm]);
rows.push([`generate, ${positions} x 64 latents (ours), DDIM 50 steps`, ddim, ddpm / ddim]);
rows.push([`generate, ${positions} x 64 latents (ours), DDPM 500 steps (reference sampler, baseline)`, ddpm, 1]);
{
  // the same with factorised MoE heads (32 learned bases per module type instead of 256 -> 32768 maps)
  const small = await LoraGen.fit(flanT5LargeLibrary(), { autoencoder: { steps: 0, head: 'factorised' }, diffusion: { steps: 0 } });
  const ms = await time(() => small.generate(description, { sampler: 'dpmpp-2m', steps: 20 }));
  rows.push([`generate, ${positions} x 64 latents (ours), factorised MoE heads, DPM-Solver++(2M) 20 steps`, ms, ddpm / ms]);
  small.dispose();
}

// The reference's latent set is 288 x 64 (A and B of each position); sample it with a DiT of the same size.
const cfg = gen.config.diffusion;
const dit = new DiT({ tokens: 288, channels: 64, condDim: gen.textEncoder.dim, width: cfg.width, depth: cfg.depth, heads: cfg.heads });
const schedule = createSchedule({ kind: 'linear', timesteps: cfg.timesteps, betaStart: cfg.betaStart, betaEnd: cfg.betaEnd });
const cond = await gen.textEncoder.embed([description]);
const denoiser = (x, t, c) => dit.predict(x, t, c);
const sample288 = (sampler, steps) => async () =>
  (await sample({ denoiser, shape: [1, 288, 64], schedule, sampler, steps, cond, seed: 1 })).dispose();
const dpm288 = await time(sample288('dpmpp-2m', 20));
const ddpm288 = await time(sample288('ddpm', 500), 1);
rows.push(['sample only, 288 x 64 latents (reference size), DPM-Solver++(2M) 20 steps', dpm288, ddpm288 / dpm288]);
rows.push(['sample only, 288 x 64 latents (reference size), DDPM 500 steps (baseline)', ddpm288, 1]);
cond.dispose();
dit.dispose();
gen.dispose();

const table = [
  `# @loragen/core benchmark`,
  '',
  `Backend: ${backend} (tfjs ${tf.version.tfjs}), Node ${process.version}, ${cpus().length} cores, load average ${loadavg()[0].toFixed(1)} at the end, ${new Date().toISOString().slice(0, 10)}. Denoiser: DiT depth ${cfg.depth}, width ${cfg.width}, ${cfg.heads} heads (the paper's); ` +
    `decoder: MoE, 4 experts, top-2, direct heads. Median of ${RUNS} runs after a warm-up (DDPM-500: one run). ` +
    'Reference: 1131 ms for 500 DDPM steps on 288 x 64 latents in PyTorch on an H200.',
  '',
  '| what | ms | speed-up vs DDPM-500 in this run |',
  '| --- | --- | --- |',
  ...rows.map(([what, ms, ratio]) => `| ${what} | ${ms.toFixed(1)} | ${ratio.toFixed(1)}x |`),
  '',
].join('\n');
process.stdout.write(`${table}\n`);
const out = join(here, '../../../benchmarks/core.md');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(`${out}.tmp`, table);
renameSync(`${out}.tmp`, out);
