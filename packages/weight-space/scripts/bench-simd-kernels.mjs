#!/usr/bin/env node
// Times each SIMD kernel on the sizes of a FLAN-T5-large loss step (1024 x 1024 factors, rank 16, prediction and
// target stacked), from src/simd/kernel-bytes.generated.ts and, with `--baseline FILE.wasm`, from another build of
// the same kernels in the same process (interleaved rounds; the fastest round counts, the one least disturbed by
// other processes). `npm run bench:simd -w @loragen/weight-space`.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({ options: { baseline: { type: 'string' }, rounds: { type: 'string', default: '15' } } });
const generated = readFileSync(path.join(packageDir, 'src/simd/kernel-bytes.generated.ts'), 'utf8');
const current = Buffer.from(/KERNEL_WASM =\s*'([^']+)'/.exec(generated)[1], 'base64');

const modules = { current };
if (args.baseline) modules.baseline = readFileSync(args.baseline);

const memory = new WebAssembly.Memory({ initial: 2048 });
const kernels = Object.fromEntries(
  Object.entries(modules).map(([name, bytes]) => [name, new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports]),
);

let top = 64;
const reserve = (bytes) => {
  const at = (top + 63) & ~63;
  top = at + bytes;
  return at;
};
let seed = 1;
const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
const floats = (n) => {
  const at = reserve(4 * n);
  const view = new Float32Array(memory.buffer, at, n);
  for (let i = 0; i < n; i++) view[i] = random();
  return at;
};

const [length, r] = [1024, 16];
const stride = length + 8;
const a = floats(2 * r * length);
const b = floats(2 * length * r);
const packed = reserve(2 * r * stride * 8);
new Float64Array(memory.buffer, packed, 2 * r * stride).fill(0.5);
const gram = reserve(4 * r * r * 8);
const m = floats(2 * r * r);
const x = floats(2 * r * length);
const out = reserve(r * length * 4 + 64);
const panel = reserve(64 * 2 * r);
const jacobi = Object.fromEntries(
  [16, 48].map((rank) => {
    const values = new Float64Array(rank * rank).map(() => random());
    return [rank, { values, columns: reserve(8 * rank * rank), norms: reserve(8 * rank) }];
  }),
);

/** Each case: [name, calls per timing, call(kernels)]. */
const cases = [
  ['pack_rows_f64 A 32 x 1024', 50, (k) => k.pack_rows_f64(a, 2 * r, length, packed, stride)],
  [
    'pack_columns_f64 B 1024 x 16 (x2)',
    50,
    (k) => (k.pack_columns_f64(b, length, r, packed, stride), k.pack_columns_f64(b + 4 * length * r, length, r, packed + 8 * r * stride, stride)),
  ],
  [
    'pack_f64 B 1024 x 16 (x2)',
    20,
    (k) => (k.pack_f64(b, r, length, 1, r, packed, stride), k.pack_f64(b + 4 * length * r, r, length, 1, r, packed + 8 * r * stride, stride)),
  ],
  ['gram_f64 32 x 32 x 1024, upper', 50, (k) => k.gram_f64(packed, packed, 2 * r, 2 * r, length / 2, stride, gram, 1)],
  ['left_mul 16 x (16 + 16) x 1024', 50, (k) => k.left_mul(m, r, x, m + 4 * r * r, r, x + 4 * r * length, r, length, out, panel)],
  ['right_mul16 1024 x (16 + 16) x 16', 50, (k) => k.right_mul16(x, r, m, x + 4 * r * length, r, m + 4 * r * r, length, r, out)],
  ['right_mul4 1024 x (16 + 16) x 16', 50, (k) => k.right_mul4(x, r, m, x + 4 * r * length, r, m + 4 * r * r, length, r, out)],
  ...[16, 48].map((rank) => [
    `jacobi_sweeps r ${rank}`,
    rank === 16 ? 50 : 5,
    (k) => {
      const { values, columns, norms } = jacobi[rank];
      const cols = new Float64Array(memory.buffer, columns, rank * rank);
      const ns = new Float64Array(memory.buffer, norms, rank);
      cols.set(values);
      for (let j = 0; j < rank; j++) {
        let s = 0;
        for (let i = 0; i < rank; i++) s += values[j * rank + i] ** 2;
        ns[j] = s;
      }
      k.jacobi_sweeps(columns, norms, rank, rank, 1e-12, 60);
    },
  ]),
];

const rounds = Number(args.rounds);
const fastest = (xs) => Math.min(...xs);
console.log(
  `| kernel | ${Object.keys(kernels)
    .map((n) => `${n} (us/call)`)
    .join(' | ')}${args.baseline ? ' | baseline / current' : ''} |`,
);
console.log(
  `| --- | ${Object.keys(kernels)
    .map(() => '---')
    .join(' | ')}${args.baseline ? ' | ---' : ''} |`,
);
for (const [name, calls, call] of cases) {
  const times = Object.fromEntries(Object.keys(kernels).map((n) => [n, []]));
  for (const k of Object.values(kernels)) for (let i = 0; i < calls; i++) call(k); // warm-up (V8's optimising tier)
  for (let round = 0; round < rounds; round++) {
    for (const [n, k] of Object.entries(kernels)) {
      const t0 = performance.now();
      for (let i = 0; i < calls; i++) call(k);
      times[n].push(((performance.now() - t0) * 1000) / calls);
    }
  }
  const med = Object.fromEntries(Object.entries(times).map(([n, t]) => [n, fastest(t)]));
  const ratio = args.baseline ? ` | ${(med.baseline / med.current).toFixed(2)}` : '';
  console.log(
    `| ${name} | ${Object.values(med)
      .map((t) => t.toFixed(1))
      .join(' | ')}${ratio} |`,
  );
}
