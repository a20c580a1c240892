// Seeded calls of every SIMD kernel, for the bit-for-bit fixture (test/fixtures/kernel-outputs.json): each case
// lays its operands out in a fresh memory, runs one kernel, and returns the bytes of its output region (plus a
// 64-byte guard after it, to catch writes past the end) as hex. The inputs are regenerated from the seed here.
import { rng } from './random';

/** The kernels' exports as the fixture calls them (pointers are byte addresses, sizes count elements). */
export interface KernelExports {
  pack_f64(src: number, rows: number, cols: number, rowStride: number, colStride: number, dst: number, dstStride: number): void;
  pack_rows_f64(src: number, rows: number, cols: number, dst: number, dstStride: number): void;
  pack_columns_f64(src: number, length: number, rank: number, dst: number, dstStride: number): void;
  gram_f64(x: number, y: number, p: number, q: number, pairs: number, stride: number, out: number, upper: 0 | 1): void;
  left_mul(m1: number, q1: number, x1: number, m2: number, q2: number, x2: number, p: number, n: number, out: number, panel: number): void;
  right_mul4(x1: number, q1: number, m1: number, x2: number, q2: number, m2: number, n: number, p: number, out: number): void;
  right_mul8(x1: number, q1: number, m1: number, x2: number, q2: number, m2: number, n: number, p: number, out: number): void;
  right_mul16(x1: number, q1: number, m1: number, x2: number, q2: number, m2: number, n: number, p: number, out: number): void;
  jacobi_sweeps(a: number, norms: number, r: number, stride: number, tol: number, maxSweeps: number): void;
}

export interface KernelCase {
  name: string;
  run(kernels: KernelExports, memory: WebAssembly.Memory): string;
}

const GUARD = 64;
/** Output regions start filled with this byte, so entries a kernel must not write are checked too. */
const SENTINEL = 0xab;

/** A bump allocator over a fresh memory region (16-byte aligned, with a gap between blocks). */
function arena(memory: WebAssembly.Memory) {
  let top = 1024;
  const reserve = (bytes: number) => {
    const at = (top + 15) & ~15;
    top = at + bytes + 48;
    const missing = top + GUARD - memory.buffer.byteLength;
    if (missing > 0) memory.grow(Math.ceil(missing / 65536));
    return at;
  };
  return {
    f32(values: Float32Array): number {
      const at = reserve(values.byteLength);
      new Float32Array(memory.buffer, at, values.length).set(values);
      return at;
    },
    f64(values: Float64Array): number {
      const at = reserve(values.byteLength);
      new Float64Array(memory.buffer, at, values.length).set(values);
      return at;
    },
    out(bytes: number): number {
      const at = reserve(bytes + GUARD);
      new Uint8Array(memory.buffer, at, bytes + GUARD).fill(SENTINEL);
      return at;
    },
  };
}

const hex = (memory: WebAssembly.Memory, at: number, bytes: number) => Buffer.from(memory.buffer, at, bytes + GUARD).toString('hex');

/** Floats of mixed signs and magnitudes (a few exact zeros and tiny values), so rounding shows in the bits. */
function floats(seed: number, n: number): Float32Array {
  const rand = rng(seed);
  return Float32Array.from({ length: n }, (_, i) => {
    const u = rand() * 2 - 1;
    if (i % 17 === 5) return 0;
    if (i % 23 === 7) return u * 1e-20;
    return u * 2 ** Math.floor(rand() * 12 - 6);
  });
}
const doubles = (seed: number, n: number) => Float64Array.from(floats(seed, n), (x, i) => x * (1 + i * 1e-9));

const cases: KernelCase[] = [];

/**
 * A packing kernel's case: `count` seeded float32 inputs (seed `seed`) are packed into `outRows` float64 rows of
 * `dstStride` doubles, and the whole output block (padding included) is the result.
 */
function packCase(
  name: string,
  seed: number,
  count: number,
  outRows: number,
  dstStride: number,
  pack: (k: KernelExports, src: number, dst: number) => void,
): KernelCase {
  return {
    name,
    run(k, memory) {
      const a = arena(memory);
      const src = a.f32(floats(seed, count));
      const bytes = outRows * dstStride * 8;
      const dst = a.out(bytes);
      pack(k, src, dst);
      return hex(memory, dst, bytes);
    },
  };
}

for (const [rows, cols, layout] of [
  [3, 7, 'rank-major'],
  [5, 13, 'length-major'],
  [4, 1, 'rank-major'],
  [1, 9, 'length-major'],
] as const) {
  const [rowStride, colStride] = layout === 'rank-major' ? [cols, 1] : [1, rows];
  cases.push(
    packCase(`pack_f64 ${rows}x${cols} ${layout}`, rows * 100 + cols, rows * cols, rows, cols + 3, (k, src, dst) =>
      k.pack_f64(src, rows, cols, rowStride, colStride, dst, cols + 3),
    ),
  );
}

for (const [rows, cols] of [
  [3, 8],
  [4, 24],
  [1, 40],
]) {
  cases.push(
    packCase(`pack_rows_f64 ${rows}x${cols}`, 7 + rows * cols, rows * cols, rows, cols + 10, (k, src, dst) =>
      k.pack_rows_f64(src, rows, cols, dst, cols + 10),
    ),
  );
}

for (const [length, rank] of [
  [6, 4],
  [10, 8],
  [2, 12],
]) {
  cases.push(
    packCase(`pack_columns_f64 length ${length} rank ${rank}`, 13 + length * rank, length * rank, rank, length + 8, (k, src, dst) =>
      k.pack_columns_f64(src, length, rank, dst, length + 8),
    ),
  );
}

/** A gram_f64 case: p x q outputs from p rows of x and q rows of y, `pairs` pairs a row (y is x itself when `upper`). */
function gramCase(p: number, q: number, pairs: number, upper: 0 | 1): KernelCase {
  return {
    name: `gram_f64 ${p}x${q} pairs ${pairs} upper ${upper}`,
    run(k, memory) {
      const a = arena(memory);
      const stride = 2 * pairs + 4;
      const x = a.f64(doubles(17 + p * q + pairs, p * stride));
      const y = upper ? x : a.f64(doubles(19 + pairs, q * stride));
      const bytes = p * q * 8;
      const out = a.out(bytes);
      k.gram_f64(x, y, p, q, pairs, stride, out, upper);
      return hex(memory, out, bytes);
    },
  };
}

cases.push(gramCase(2, 4, 3, 0), gramCase(6, 8, 5, 0), gramCase(8, 8, 9, 1), gramCase(4, 12, 1, 1), gramCase(10, 4, 17, 0));

/** A left_mul case: a p x n output from q1 columns of M1 / rows of X1 plus q2 of M2 / X2 (q2 = 0: one term). */
function leftMulCase(p: number, q1: number, q2: number, n: number): KernelCase {
  return {
    name: `left_mul p ${p} q ${q1}+${q2} n ${n}`,
    run(k, memory) {
      const a = arena(memory);
      const m1 = a.f32(floats(23 + p * q1, p * q1));
      const x1 = a.f32(floats(29 + q1 * n, q1 * n));
      const m2 = a.f32(floats(31 + p * q2, Math.max(1, p * q2)));
      const x2 = a.f32(floats(37 + q2 * n, Math.max(1, q2 * n)));
      const panel = a.out(64 * (q1 + q2));
      const bytes = p * n * 4;
      const out = a.out(bytes);
      k.left_mul(m1, q1, x1, m2, q2, x2, p, n, out, panel);
      return hex(memory, out, bytes);
    },
  };
}

cases.push(leftMulCase(3, 5, 0, 16), leftMulCase(4, 3, 2, 32), leftMulCase(1, 7, 7, 48), leftMulCase(6, 1, 0, 16), leftMulCase(5, 16, 16, 64));

for (const width of [4, 8, 16] as const) {
  for (const [n, q1, q2, chunks] of [
    [5, 3, 4, 2],
    [1, 6, 0, 1],
    [4, 2, 9, 3],
    [7, 16, 16, 1],
  ]) {
    const p = width * chunks;
    cases.push({
      name: `right_mul${width} n ${n} q ${q1}+${q2} p ${p}`,
      run(k, memory) {
        const a = arena(memory);
        const x1 = a.f32(floats(41 + n * q1 + width, n * q1));
        const m1 = a.f32(floats(43 + q1 * p, q1 * p));
        const x2 = a.f32(floats(47 + n * q2, Math.max(1, n * q2)));
        const m2 = a.f32(floats(53 + q2 * p + width, Math.max(1, q2 * p)));
        const bytes = n * p * 4;
        const out = a.out(bytes);
        k[`right_mul${width}`](x1, q1, m1, x2, q2, m2, n, p, out);
        return hex(memory, out, bytes);
      },
    });
  }
}

for (const [r, tol, maxSweeps, kind] of [
  [3, 1e-12, 60, 'random'],
  [6, 1e-12, 60, 'random'],
  [7, 1e-6, 60, 'random'],
  [9, 1e-12, 2, 'random'],
  [5, 1e-12, 60, 'rank-deficient'],
  [4, 1e-12, 60, 'orthogonal'],
  [16, 1e-12, 60, 'random'],
] as const) {
  cases.push({
    name: `jacobi_sweeps r ${r} tol ${tol} max ${maxSweeps} ${kind}`,
    run(k, memory) {
      const a = arena(memory);
      const stride = r + (r % 2);
      const columns = new Float64Array(r * stride);
      const values = doubles(59 + r, r * r);
      for (let j = 0; j < r; j++) {
        for (let i = 0; i < r; i++) {
          let v = values[j * r + i];
          if (kind === 'rank-deficient' && j >= 2) v = values[i] * (j + 1) - values[r + i] * 0.5;
          if (kind === 'orthogonal') v = i === j ? j + 1 : 0;
          columns[j * stride + i] = v;
        }
      }
      const norms = new Float64Array(r);
      for (let j = 0; j < r; j++) for (let i = 0; i < r; i++) norms[j] += columns[j * stride + i] ** 2;
      const bytes = 8 * (r * stride + r + 1);
      const at = a.out(bytes);
      new Float64Array(memory.buffer, at, r * stride).set(columns);
      const normsAt = at + 8 * (r * stride + 1);
      new Float64Array(memory.buffer, normsAt, r).set(norms);
      k.jacobi_sweeps(at, normsAt, r, stride, tol, maxSweeps);
      return hex(memory, at, bytes);
    },
  });
}

export const KERNEL_CASES = cases;
