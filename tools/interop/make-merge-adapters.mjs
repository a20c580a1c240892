#!/usr/bin/env node
// Inputs and outputs for the PEFT merge interop check (tools/interop/check_peft_merge.py): three adapters on the
// gemma2 fixture's layout that differ in rank, alpha, rsLoRA and fan_in_fan_out, and what `loragen merge` /
// `loragen compress` made of them (exact, --rank 3, --energy 0.9; compress --rank 2), with the weights and the
// reported numbers in cases.json. The Python side loads every output with PeftModel.from_pretrained and compares
// it with PEFT's own dense merge of the same inputs (add_weighted_adapter, "cat" and "svd").
//
// Usage: node tools/interop/make-merge-adapters.mjs [outDir=.device/interop-merge]   (build first: npm run build)
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { readPeftAdapter, writePeftAdapter, loraScaling } = await import(join(repo, 'packages/lora-io/dist/node.js'));
const fixtures = [resolve(repo, '../shared/fixtures'), '/work/shared/fixtures'].find((p) => existsSync(join(p, 'peft')));
if (!fixtures) throw new Error('shared/fixtures not found beside the repository');
const out = resolve(process.argv[2] ?? join(repo, '.device/interop-merge'));
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

let seed = 777;
const rand = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32 - 0.5;
const fixture = join(fixtures, 'peft/gemma2-qv-r4-rslora');
cpSync(join(fixture, 'base'), join(out, 'base'), { recursive: true });
const template = await readPeftAdapter(fixture);
const variant = (rank, alpha, config) => ({
  config: { ...template.config, r: rank, lora_alpha: alpha, ...config },
  modules: template.modules.map((m) => ({
    ...m,
    rank,
    alpha,
    scaling: loraScaling(alpha, rank, config.use_rslora === true),
    A: Float32Array.from({ length: rank * m.dIn }, rand),
    B: Float32Array.from({ length: m.dOut * rank }, rand),
  })),
});
const inputs = {
  a: variant(4, 16, { use_rslora: true }),
  b: variant(2, 3, { use_rslora: false }),
  c: variant(3, 6, { use_rslora: false, fan_in_fan_out: true }),
};
for (const [name, adapter] of Object.entries(inputs)) await writePeftAdapter(join(out, 'inputs', name), adapter);

const weights = [0.5, -1, 2];
const loragen = join(repo, 'packages/loragen/bin/loragen.cjs');
const run = (args) => JSON.parse(execFileSync(process.execPath, [loragen, ...args, '--backend', 'wasm', '--json'], { encoding: 'utf8' }));
const dirs = Object.keys(inputs).map((n) => join(out, 'inputs', n));
const cases = [
  {
    name: 'merge-concat',
    inputs: ['a', 'b', 'c'],
    weights,
    peft: { combination_type: 'cat' },
    args: ['merge', ...dirs, '--weights', weights.join(',')],
  },
  {
    name: 'merge-rank3',
    inputs: ['a', 'b', 'c'],
    weights,
    peft: { combination_type: 'svd', svd_rank: 3 },
    args: ['merge', ...dirs, '--weights', weights.join(','), '--rank', '3'],
  },
  { name: 'merge-energy', inputs: ['a', 'b', 'c'], weights, peft: null, args: ['merge', ...dirs, '--weights', weights.join(','), '--energy', '0.9'] },
  // PEFT has no rank reduction of one adapter: add_weighted_adapter turns a single input into a 'linear' merge at its
  // own rank and ignores svd_rank, so compress is checked against Eckart-Young only.
  { name: 'compress-rank2', inputs: ['a'], weights: [1], peft: null, args: ['compress', dirs[0], '--rank', '2'] },
];
for (const c of cases) {
  const report = run([...c.args, '--out', join(out, c.name)]);
  Object.assign(c, { report: report.modules });
  delete c.args;
  console.log(`wrote ${join(out, c.name)}: ranks ${report.modules.map((m) => m.rank).join(', ')}`);
}
writeFileSync(join(out, 'cases.json'), JSON.stringify(cases, null, 1));
