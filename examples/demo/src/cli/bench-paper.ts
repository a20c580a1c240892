// `npm run bench:paper`: the paper's evaluation table at laptop scale. Trains every LoRAGen variant for each
// seed on the library's training tasks, measures all methods on in-distribution and zero-shot tasks, and writes
// benchmarks/paper/results.json, results.md and results.svg.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { useBackend, type BackendName, type FitProgress } from '@loragen/core';
import { runSeed, type SeedAccuracies } from '../benchmark/experiment';
import { METHOD_IDS } from '../benchmark/methods';
import { writeJsonAtomic, writeTextAtomic } from '../library/write-text';
import { resultsChart } from '../benchmark/report-chart';
import { resultsMarkdown } from '../benchmark/report-markdown';
import { summarise } from '../benchmark/summary';
import { listTasks, ZERO_SHOT_TASK_IDS } from '../tasks/family';
import { integerArgument, parseArguments } from './arguments';
import { fitProgressBars } from './fit-progress';
import { loadAssets } from './load-assets';
import { ASSETS_DIR, PAPER_RESULTS_DIR } from './paths';
import { BENCH_SCALE } from './scales';

const NOTES = [
  '**Setup.** Base model: a 4-layer, width-32 transformer (tfjs) pre-trained on a prompted mixture of all 62 tasks ' +
    '(yes/no questions about 8 digits: contains / absent / first / last / twice for each digit, max-at-least / ' +
    'min-at-most for 6 thresholds). Evaluation uses a neutral prompt, so only the weights can say which task to do. ' +
    'Library: one rank-4 LoRA on q_proj and v_proj of every layer per task (150 Adam steps, one shared init). ' +
    "LoRAGen: the paper's architecture (per-type encoders, top-2 MoE decoder, angular + spectral losses on dW, " +
    'v-prediction latent diffusion on hashed description embeddings) at a compact size; see examples/demo/README.md.',
  '**Reading it against the paper.** The paper\'s numbers are FLAN-T5-large on NLP tasks; ours is a 62-task synthetic ' +
    'family on a 50k-parameter model, so only the orderings and the claims are comparable, not the absolute values. ' +
    'Our `base` is near chance (50%) by construction. `nearest-description` in-distribution finds the task itself, ' +
    'so it equals `task-lora` there.',
];

async function main(): Promise<void> {
  const args = parseArguments(process.argv.slice(2), ['seeds', 'backend', 'out']);
  const seedCount = integerArgument(args, 'seeds', 3);
  const out = args.get('out') ?? PAPER_RESULTS_DIR;
  const backend = await useBackend((args.get('backend') ?? 'wasm') as BackendName);
  const started = Date.now();
  const assets = await loadAssets(ASSETS_DIR);
  const tasks = listTasks();
  const training = tasks.filter((t) => !ZERO_SHOT_TASK_IDS.includes(t.id));
  const seeds: SeedAccuracies[] = [];
  for (let seed = 1; seed <= seedCount; seed++) {
    const bars = new Map<string, (p: FitProgress) => void>();
    const accuracies = await runSeed({ ...assets, training, evaluated: tasks, scale: BENCH_SCALE }, seed, METHOD_IDS, (p) => {
      if (!p.fit) return;
      if (!bars.has(p.method)) bars.set(p.method, fitProgressBars(`seed ${seed} ${p.method}`));
      bars.get(p.method)!(p.fit);
    });
    seeds.push(accuracies);
  }
  const results = summarise(
    seeds,
    { inDistribution: training.map((t) => t.id), zeroShot: [...ZERO_SHOT_TASK_IDS] },
    METHOD_IDS,
    { seconds: (Date.now() - started) / 1000, backend },
  );
  await mkdir(out, { recursive: true });
  const markdown = resultsMarkdown(results, NOTES);
  await writeJsonAtomic(join(out, 'results.json'), results);
  await writeTextAtomic(join(out, 'results.md'), markdown);
  await writeTextAtomic(join(out, 'results.svg'), resultsChart(results));
  process.stdout.write(`${markdown}\nwrote ${out}/results.{json,md,svg}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:paper failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
