// Which anchoring serves both held-out wordings and zero-shot on skills with combinations? (scratch)
import { embedTasks, LoraGen, useBackend } from '@loragen/core';
import { EvaluationHarness } from '../src/eval/harness';
import { libraryConfig, libraryTextEncoder, withOverrides } from '../src/benchmark/methods';
import { benchLibrary, trainingTasks } from '../src/benchmark/libraries';
import { loadAssets } from '../src/cli/load-assets';
import { anchorConditions } from '../../../packages/loragen/src/diffusion/condition-anchoring';
import { writeFileSync } from 'node:fs';

async function main() {
  await useBackend('wasm');
  const lib = benchLibrary('skills');
  const assets = await loadAssets(lib.assets);
  const training = trainingTasks(lib);
  const zs = lib.tasks.filter((t) => lib.zeroShot.includes(t.id));
  const encoder = libraryTextEncoder(training);
  const config = withOverrides(libraryConfig('skills', 1, { autoencoderSteps: 8000, diffusionSteps: 5000 }) as any, JSON.parse(process.argv[2] ?? '{}'));
  const gen = await LoraGen.fit(training.map((t) => assets.library.get(t.id)!), config, { textEncoder: encoder });
  const harness = new EvaluationHarness(assets.base, assets.config, { seed: 1, count: 512, examples: lib.examples(assets) });
  const t = await embedTasks(gen.textEncoder, training.map((x) => x.descriptions));
  const taskC = (await t.array()) as number[][];
  const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  const meanNorm = taskC.reduce((s, c) => s + norm(c), 0) / taskC.length;
  const cos = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0) / (norm(a) * norm(b));
  const rowOf = async (d: string) => { const e = await gen.textEncoder.embed([d]); const r = ((await e.array()) as number[][])[0]; e.dispose(); return r; };
  const zsRows = []; for (const x of zs) { const e = await embedTasks(gen.textEncoder, [x.descriptions]); zsRows.push(((await e.array()) as number[][])[0]); e.dispose(); }
  const wordCases: { task: any; row: number[] }[] = [];
  for (const x of training.slice(0, 25)) for (const d of x.heldOutDescriptions) wordCases.push({ task: x, row: await rowOf(d) });
  const maxCos = (r: number[]) => Math.max(...taskC.map((c) => cos(r, c)));
  const log: Record<string, unknown> = {
    meanTaskNorm: meanNorm,
    wordingMaxCos: wordCases.map((c) => +maxCos(c.row).toFixed(3)),
    wordingNorm: wordCases.map((c) => +norm(c.row).toFixed(3)),
    zeroShotMaxCos: zsRows.map((r) => +maxCos(r).toFixed(3)),
    zeroShotNorm: zsRows.map((r) => +norm(r).toFixed(3)),
  };
  const variants: Record<string, (r: number[]) => number[]> = {
    raw: (r) => r,
    nearest: (r) => anchorConditions([r], taskC, { weight: 1, temperature: 0.01 })[0],
    span: (r) => anchorConditions([r], taskC, { weight: 1, temperature: 0.01, mode: 'span' })[0],
    spanRescaled: (r) => { const p = anchorConditions([r], taskC, { weight: 1, temperature: 0.01, mode: 'span' })[0]; const k = meanNorm / norm(p); return p.map((x) => x * k); },
    rawRescaled: (r) => { const k = meanNorm / norm(r); return r.map((x) => x * k); },
    gated07: (r) => (maxCos(r) >= 0.7 ? variants.nearest(r) : variants.span(r)),
    gated08: (r) => (maxCos(r) >= 0.8 ? variants.nearest(r) : variants.span(r)),
  };
  for (const [name, f] of Object.entries(variants)) {
    const w = await gen.generate(wordCases.map((c) => f(c.row)), { seed: 1 });
    let sw = 0; for (let i = 0; i < wordCases.length; i++) sw += await harness.accuracy(wordCases[i].task, w[i]);
    const z = await gen.generate(zsRows.map((r) => f(r)), { seed: 1 });
    let sz = 0; for (let i = 0; i < zs.length; i++) sz += await harness.accuracy(zs[i], z[i]);
    log[name] = { heldOutWordings: sw / wordCases.length, zeroShot: sz / zs.length };
    console.log(name, JSON.stringify(log[name]));
  }
  writeFileSync(process.argv[3] ?? '.scratch/anchor-variants.json', JSON.stringify(log, null, 1));
}
main();
