#!/usr/bin/env node
// Benchmark: read a 512 MB F32 and a 512 MB BF16 safetensors file into Float32Arrays, and write them, compared with
// plain fs.readFile / fs.writeFile of the same bytes in the same run (same files, page cache warm for both).
// Files are made in a temporary folder and deleted afterwards. Runs against dist/ (build first).
//
// Usage: node bench/io-bench.mjs [--mb 512] [--reps 5]
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { readFile, writeFile, rm } from 'node:fs/promises';
import { tmpdir, cpus, loadavg } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, '..', 'dist', 'node.js');
if (!existsSync(dist)) {
  console.error('build @loragen/lora-io first (npx nx build lora-io)');
  process.exit(1);
}
const { readSafetensorsFileAsFloat32, writeSafetensorsFile, float32ToBytes } = await import(dist);

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const MB = arg('mb', 512);
const REPS = arg('reps', 5);
const bytes = MB * 1024 * 1024;
const dir = mkdtempSync(join(tmpdir(), 'lora-io-bench-'));

async function time(fn) {
  const t0 = process.hrtime.bigint();
  const r = await fn();
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, r };
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

try {
  // Data: a 512 MB F32 tensor (128 Mi floats) and a 512 MB BF16 tensor (256 Mi values), from one float32 source.
  const f32 = new Float32Array(bytes / 4);
  for (let i = 0; i < f32.length; i++) f32[i] = Math.fround(((i * 2654435761) >>> 8) / 2 ** 24 - 0.5);
  const src16 = new Float32Array(bytes / 2);
  for (let i = 0; i < src16.length; i++) src16[i] = f32[i % f32.length] * 3;
  const f32Path = join(dir, 'f32.safetensors');
  const bf16Path = join(dir, 'bf16.safetensors');
  const outPath = join(dir, 'out.safetensors');
  const rawPath = join(dir, 'raw.bin');
  await writeSafetensorsFile(f32Path, { w: { dtype: 'F32', shape: [f32.length], data: f32 } });
  await writeSafetensorsFile(bf16Path, { w: { dtype: 'BF16', shape: [src16.length], data: float32ToBytes(src16, 'BF16') } });

  const rows = { rawReadF32: [], readF32: [], rawReadBF16: [], readBF16: [], rawWrite: [], writeF32: [], writeBF16bytes: [], writeBF16: [] };
  const bf16Bytes = float32ToBytes(src16, 'BF16');
  let rawBytes;
  for (let rep = 0; rep < REPS + 1; rep++) {
    const keep = rep > 0; // the first round warms the page cache and the JIT
    // Reads: raw and ours alternate on the same file.
    let t = await time(() => readFile(f32Path));
    rawBytes = t.r;
    if (keep) rows.rawReadF32.push(t.ms);
    t = await time(() => readSafetensorsFileAsFloat32(f32Path));
    if (t.r.tensors.get('w').values.length !== f32.length) throw new Error('F32 read: wrong length');
    if (keep) rows.readF32.push(t.ms);
    t = await time(() => readFile(bf16Path));
    if (keep) rows.rawReadBF16.push(t.ms);
    t = await time(() => readSafetensorsFileAsFloat32(bf16Path));
    if (t.r.tensors.get('w').values.length !== src16.length) throw new Error('BF16 read: wrong length');
    if (keep) rows.readBF16.push(t.ms);
    t = null;
    // Writes: fs.writeFile of the F32 file's bytes; ours from a Float32Array (F32: no conversion; BF16: convert).
    let w = await time(() => writeFile(rawPath, rawBytes));
    if (keep) rows.rawWrite.push(w.ms);
    await rm(rawPath);
    w = await time(() => writeSafetensorsFile(outPath, { w: { dtype: 'F32', shape: [f32.length], data: f32 } }));
    if (keep) rows.writeF32.push(w.ms);
    await rm(outPath);
    w = await time(() => writeSafetensorsFile(outPath, { w: { dtype: 'BF16', shape: [src16.length], data: bf16Bytes } }));
    if (keep) rows.writeBF16bytes.push(w.ms);
    await rm(outPath);
    w = await time(() => writeSafetensorsFile(outPath, { w: { dtype: 'BF16', shape: [src16.length], data: float32ToBytes(src16, 'BF16') } }));
    if (keep) rows.writeBF16.push(w.ms);
    await rm(outPath);
  }
  const med = Object.fromEntries(Object.entries(rows).map(([k, v]) => [k, median(v)]));
  const best = Object.fromEntries(Object.entries(rows).map(([k, v]) => [k, Math.min(...v)]));
  const mbps = (ms) => (MB / (ms / 1000)).toFixed(0);
  const line = (what, key, base, target) =>
    `| ${what} | ${med[key].toFixed(0)} ms (best ${best[key].toFixed(0)}) | ${mbps(med[key])} MB/s | ` +
    `${base ? `${(med[base] / med[key]).toFixed(2)}x (best ${(best[base] / best[key]).toFixed(2)}x)` : '1.00x'} | ${target} |`;
  console.log(
    `lora-io I/O benchmark: ${MB} MB files, median (and best) of ${REPS} runs after one warm-up, Node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
  );
  console.log('| operation | time | throughput (file bytes) | ratio to plain fs, same bytes | target |');
  console.log('| --- | --- | --- | --- | --- |');
  console.log(line('fs.readFile, F32 file', 'rawReadF32', null, ''));
  console.log(line('readSafetensorsFileAsFloat32, F32 -> Float32Array', 'readF32', 'rawReadF32', '>= 0.8x'));
  console.log(line('fs.readFile, BF16 file', 'rawReadBF16', null, ''));
  console.log(line('readSafetensorsFileAsFloat32, BF16 -> Float32Array', 'readBF16', 'rawReadBF16', '>= 0.5x'));
  console.log(line('fs.writeFile, 512 MB', 'rawWrite', null, ''));
  console.log(line('writeSafetensorsFile, F32 from a Float32Array (atomic)', 'writeF32', 'rawWrite', '>= 0.8x'));
  console.log(line('writeSafetensorsFile, BF16 from BF16 bytes (atomic)', 'writeBF16bytes', 'rawWrite', '>= 0.8x'));
  console.log(line('writeSafetensorsFile, BF16 from a Float32Array (convert + atomic)', 'writeBF16', 'rawWrite', '(conversion included)'));
  console.log(`raw samples (ms): ${JSON.stringify(Object.fromEntries(Object.entries(rows).map(([k, v]) => [k, v.map((x) => Math.round(x))])))}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
