#!/usr/bin/env node
// Writes PEFT adapters with @loragen/lora-io's own writer for the Python PEFT interop check
// (tools/interop/check_peft.py). For the t5 and gemma2 fixture layouts: new random A and B, written in F32 and
// BF16, plus one gemma2 adapter whose modules differ in rank and alpha (so the writer must add rank_pattern /
// alpha_pattern entries that PEFT then applies). Beside each adapter: expected.json + expected.bin, the factors
// as raw little-endian float32 (after the dtype's rounding) and the scaling each module must get, written
// without the safetensors writer so the check does not trust what it tests.
//
// Usage: node tools/interop/make-adapters.mjs [outDir=.device/interop]   (build lora-io first: npx nx build lora-io)
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { readPeftAdapter, writePeftAdapter, roundThrough, loraScaling } = await import(join(repo, 'packages/lora-io/dist/node.js'));
const fixtures = [resolve(repo, '../shared/fixtures'), '/work/shared/fixtures'].find((p) => existsSync(join(p, 'peft')));
if (!fixtures) throw new Error('shared/fixtures not found beside the repository');
const out = resolve(process.argv[2] ?? join(repo, '.device/interop'));

let seed = 12345;
const rand = () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const randomFactor = (n) => Float32Array.from({ length: n }, () => rand() - 0.5);

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

function writeExpected(dir, adapter, dtype) {
  const parts = [];
  const modules = [];
  let offset = 0;
  for (const m of adapter.modules) {
    const A = roundThrough(m.A, dtype);
    const B = roundThrough(m.B, dtype);
    modules.push({
      name: m.name,
      rank: m.rank,
      dIn: m.dIn,
      dOut: m.dOut,
      alpha: m.alpha,
      scaling: m.scaling,
      A_offset: offset,
      B_offset: offset + A.byteLength,
    });
    parts.push(Buffer.from(A.buffer), Buffer.from(B.buffer));
    offset += A.byteLength + B.byteLength;
  }
  writeFileSync(join(dir, 'expected.bin'), Buffer.concat(parts));
  writeFileSync(join(dir, 'expected.json'), JSON.stringify({ dtype, modules }, null, 1));
}

const cases = [
  { name: 't5', fixture: 'peft/t5-qv-r4' },
  { name: 'gemma2', fixture: 'peft/gemma2-qv-r4-rslora' },
];
for (const c of cases) {
  const src = join(fixtures, c.fixture);
  cpSync(join(src, 'base'), join(out, `${c.name}-base`), { recursive: true });
  const template = await readPeftAdapter(src);
  const variants = [
    ['F32', false],
    ['BF16', false],
  ];
  if (c.name === 'gemma2') variants.push(['F32', true]);
  for (const [dtype, patterns] of variants) {
    const modules = template.modules.map((m, i) => {
      // The pattern variant: layer 1's q_proj at rank 2, every v_proj at alpha 5.
      const rank = patterns && /layers\.1\.self_attn\.q_proj$/.test(m.name) ? 2 : m.rank;
      const alpha = patterns && /v_proj$/.test(m.name) ? 5 : m.alpha;
      return {
        ...m,
        rank,
        alpha,
        scaling: loraScaling(alpha, rank, template.config.use_rslora === true),
        A: randomFactor(rank * m.dIn),
        B: randomFactor(m.dOut * rank),
      };
    });
    const adapter = { config: template.config, modules };
    const dir = join(out, `${c.name}-${dtype.toLowerCase()}${patterns ? '-patterns' : ''}`);
    await writePeftAdapter(join(dir, 'adapter'), adapter, { dtype });
    writeFileSync(join(dir, 'base.txt'), `${c.name}-base\n`);
    writeExpected(dir, adapter, dtype);
    console.log(`wrote ${dir} (${modules.length} modules, ${dtype})`);
  }
}
