// The WebAssembly SIMD kernels (kernels/simd-kernels.ts), against plain-JS loops on random operands of awkward sizes.
import { GRAM_BLOCK, type SimdKernels } from '../src/simd/kernel-abi';
import { simdKernelsFor } from '../src/simd/simd-instance';
import { rng } from './helpers/random';

const rand = rng(11);
const memory = new WebAssembly.Memory({ initial: 64 });
const kernels = simdKernelsFor(memory) as SimdKernels;
const f32 = () => new Float32Array(memory.buffer);
const f64 = () => new Float64Array(memory.buffer);
const randomFloats = (n: number) => Float32Array.from({ length: n }, () => rand() * 2 - 1);
/** Writes `values` at float index `at` and returns its byte address. */
const put = (values: Float32Array, at: number) => (f32().set(values, at), at * 4);
const roundUp = (n: number, to: number) => Math.ceil(n / to) * to;

describe('kernel module', () => {
  it('compiles where WebAssembly SIMD exists (Node 20)', () => {
    expect(kernels).not.toBeNull();
  });
});

describe('SIMD kernels vs plain loops', () => {
  it.each([
    [3, 5, 7, 'rank-major'],
    [6, 8, 33, 'rank-major'],
    [5, 5, 16, 'length-major'],
    [16, 16, 1024, 'length-major'],
  ])('pack_f64 + gram_f64: %i x %i ranks, length %i, %s', (rx, ry, length, layout) => {
    const rankMajor = layout === 'rank-major';
    const [x, y] = [randomFloats(rx * length), randomFloats(ry * length)];
    const xAt = put(x, 0);
    const yAt = put(y, x.length);
    const stride = length + (length % 2);
    const [px, py] = [roundUp(rx, GRAM_BLOCK.rows), roundUp(ry, GRAM_BLOCK.cols)];
    const packedX = roundUp((x.length + y.length) * 4, 16);
    const packedY = packedX + px * stride * 8;
    const out = packedY + py * stride * 8;
    f64().fill(0, packedX / 8, out / 8 + px * py);
    const pack = (at: number, rank: number, to: number) =>
      kernels.pack_f64(at, rank, length, rankMajor ? length : 1, rankMajor ? 1 : rank, to, stride);
    pack(xAt, rx, packedX);
    pack(yAt, ry, packedY);
    kernels.gram_f64(packedX, packedY, px, py, stride / 2, stride, out, 0);
    const at = (m: Float32Array, rank: number, i: number, k: number) => (rankMajor ? m[i * length + k] : m[k * rank + i]);
    let worst = 0;
    for (let i = 0; i < rx; i++) {
      for (let j = 0; j < ry; j++) {
        let s = 0;
        for (let k = 0; k < length; k++) s += at(x, rx, i, k) * at(y, ry, j, k);
        worst = Math.max(worst, Math.abs(f64()[out / 8 + i * py + j] - s));
      }
    }
    // float64 accumulation of exact float32 products: only float64 rounding is left
    expect(worst).toBeLessThan(1e-12);
  });

  // The SIMD packings against pack_f64, the scalar loop, on the same factor: B [length, rank] transposed, A [rank, length] widened.
  it.each([
    ['pack_columns_f64', 16, 10],
    ['pack_columns_f64', 8, 1024],
    ['pack_columns_f64', 4, 2],
    ['pack_rows_f64', 3, 8],
    ['pack_rows_f64', 16, 1024],
  ] as const)('%s packs rank %i, length %i exactly as pack_f64 does', (name, rank, length) => {
    const factor = randomFloats(length * rank);
    const at = put(factor, 0);
    const stride = length + 8;
    const [simd, scalar] = [roundUp(factor.length * 4, 16), roundUp(factor.length * 4, 16) + rank * stride * 8];
    f64().fill(-1, simd / 8, scalar / 8 + rank * stride);
    if (name === 'pack_columns_f64') {
      kernels.pack_columns_f64(at, length, rank, simd, stride);
      kernels.pack_f64(at, rank, length, 1, rank, scalar, stride);
    } else {
      kernels.pack_rows_f64(at, rank, length, simd, stride);
      kernels.pack_f64(at, rank, length, length, 1, scalar, stride);
    }
    expect(f64().slice(simd / 8, simd / 8 + rank * stride)).toEqual(f64().slice(scalar / 8, scalar / 8 + rank * stride));
    expect(f64()[simd / 8 + stride - 1]).toBe(-1); // the padding is left alone
  });

  it('gram_f64 with upper = 1 fills the upper triangle of a self Gram exactly as the full product', () => {
    const [r, length] = [7, 12];
    const x = randomFloats(r * length);
    const xAt = put(x, 0);
    const p = roundUp(r, GRAM_BLOCK.cols);
    const packed = roundUp(x.length * 4, 16);
    const full = packed + p * length * 8;
    const upper = full + p * p * 8;
    f64().fill(0, packed / 8, upper / 8 + p * p);
    kernels.pack_f64(xAt, r, length, length, 1, packed, length);
    kernels.gram_f64(packed, packed, p, p, length / 2, length, full, 0);
    kernels.gram_f64(packed, packed, p, p, length / 2, length, upper, 1);
    for (let i = 0; i < r; i++) {
      for (let j = i; j < r; j++) expect(f64()[upper / 8 + i * p + j]).toBe(f64()[full / 8 + i * p + j]);
    }
  });

  /** Random operands of a sum of two products u_t v_t (u_t [rows, inner_t], v_t [inner_t, cols]) on the heap. */
  function twoTerms(rows: number, inners: number[], cols: number) {
    let at = 0;
    const place = (values: Float32Array) => ((at = roundUp(at, 4)), (at += values.length), put(values, at - values.length));
    const terms = inners.map((inner) => {
      const [u, v] = [randomFloats(rows * inner), randomFloats(inner * cols)];
      return { u, v, inner, uAt: place(u), vAt: place(v) };
    });
    const out = roundUp(at * 4, 16);
    f32().fill(7, out / 4, out / 4 + rows * cols); // stale values: the kernels overwrite, they do not add
    const worst = () => {
      let error = 0;
      for (let i = 0; i < rows; i++) {
        for (let c = 0; c < cols; c++) {
          let s = 0;
          for (const { u, v, inner } of terms) for (let j = 0; j < inner; j++) s += u[i * inner + j] * v[j * cols + c];
          error = Math.max(error, Math.abs(f32()[out / 4 + i * cols + c] - s));
        }
      }
      return error;
    };
    // q = 0 and null pointers stand for an absent second term
    const [t1, t2] = [terms[0], terms[1] ?? { uAt: 0, vAt: 0, inner: 0 }];
    return { t1, t2, out, scratch: out + rows * cols * 4, worst };
  }

  it.each([
    [3, [5], 16],
    [16, [16], 1024],
    [16, [16, 16], 1024],
    [7, [3, 5], 32],
    [1, [2, 1], 16],
  ])('left_mul: %i rows, inner sizes %j, %i columns', (p, inners, n) => {
    const { t1, t2, out, scratch, worst } = twoTerms(p, inners, n);
    kernels.left_mul(t1.uAt, t1.inner, t1.vAt, t2.uAt, t2.inner, t2.vAt, p, n, out, scratch);
    expect(worst()).toBeLessThan(1e-5);
  });

  it.each([
    ['right_mul4', 9, [3], 4],
    ['right_mul4', 20, [5, 2], 12],
    ['right_mul8', 11, [8, 8], 8],
    ['right_mul16', 33, [7], 16],
    ['right_mul16', 10, [16, 16], 32],
    ['right_mul16', 1024, [16, 16], 16],
  ] as const)('%s: %i rows, inner sizes %j, %i columns', (name, n, inners, p) => {
    const { t1, t2, out, worst } = twoTerms(n, [...inners], p);
    kernels[name](t1.uAt, t1.inner, t1.vAt, t2.uAt, t2.inner, t2.vAt, n, p, out);
    expect(worst()).toBeLessThan(1e-5);
  });
});
