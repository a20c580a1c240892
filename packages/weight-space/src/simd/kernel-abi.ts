/**
 * The SIMD kernels' calling convention and memory layout, the one place that describes them for the JS side (the
 * kernels themselves are AssemblyScript in kernels/simd-kernels.ts, compiled into kernel-bytes.generated.ts).
 *
 * Memory: the module imports `env.memory` and works on it in place: tfjs-wasm's own heap (operands where the backend
 * keeps them), a private memory of ours on tfjs-cpu (operands copied in), or a shared memory on the Gram worker
 * thread. The module has no data segment and allocates nothing: every scratch buffer is passed in.
 * Pointers are byte addresses (16-byte aligned for what is read as v128); sizes and strides count elements.
 * Factors are row-major float32: A [r, length] (rank rows) and B [length, r] (rank columns). Grams are float64.
 *
 * - `pack_f64(src, rows, cols, rowStride, colStride, dst, dstStride)`: dst[i][k] = f64(src[i rowStride + k colStride])
 *   (a transpose when colStride > 1, for B's columns); dst rows `dstStride` doubles apart.
 * - `pack_rows_f64(src, rows, cols, dst, dstStride)`: the same for A's contiguous rows, cols a multiple of 8.
 * - `pack_columns_f64(src, length, rank, dst, dstStride)`: B [length, rank]'s columns as rows, length even, rank a
 *   multiple of 4.
 * - `gram_f64(x, y, p, q, pairs, stride, out, upper)`: out [p, q] = X Y^T over float64 rows of `pairs` pairs of
 *   doubles, `stride` doubles apart (p, q multiples of {@link GRAM_BLOCK}'s sizes). upper = 1 (x = y): column blocks
 *   wholly below the diagonal are skipped, only entries j >= i are meant to be read.
 * - `left_mul(m1, q1, x1, m2, q2, x2, p, n, out, panel)`: out [p, n] = m1 [p, q1] x1 [q1, n] + m2 [p, q2] x2 [q2, n] in
 *   float32 (q2 = 0 for one term), n a multiple of 16; `panel` is 64 (q1 + q2) bytes of scratch.
 * - `right_mul4` / `right_mul8` / `right_mul16(x1, q1, m1, x2, q2, m2, n, p, out)`: out [n, p] = x1 [n, q1] m1 [q1, p]
 *   + x2 [n, q2] m2 [q2, p] in float32, p a multiple of 4, 8 or 16 ({@link RIGHT_MUL_WIDTHS}).
 * - `jacobi_sweeps(a, norms, r, stride, tol, maxSweeps)`: Hestenes sweeps over r float64 columns `stride` doubles
 *   apart (stride even), in place, with their squared norms at `norms` (given on entry, kept current), until no
 *   pair's cosine exceeds `tol` or `maxSweeps` ran.
 *
 * Every output is one fixed sequence of IEEE operations (no fused multiply-add, no reassociation): results are
 * bit-identical on every engine, and test/kernel-fixture.test.ts holds them to recorded bit patterns.
 */
export interface SimdKernels {
  pack_f64(src: number, rows: number, cols: number, rowStride: number, colStride: number, dst: number, dstStride: number): void;
  pack_rows_f64(src: number, rows: number, cols: number, dst: number, dstStride: number): void;
  pack_columns_f64(src: number, length: number, rank: number, dst: number, dstStride: number): void;
  gram_f64(x: number, y: number, p: number, q: number, pairs: number, stride: number, out: number, upper: 0 | 1): void;
  left_mul(m1: number, q1: number, x1: number, m2: number, q2: number, x2: number, p: number, n: number, out: number, panel: number): void;
  right_mul4: RightMul;
  right_mul8: RightMul;
  right_mul16: RightMul;
  jacobi_sweeps(a: number, norms: number, r: number, stride: number, tol: number, maxSweeps: number): void;
}

type RightMul = (x1: number, q1: number, m1: number, x2: number, q2: number, m2: number, n: number, p: number, out: number) => void;

/** Rows per block of `gram_f64` along x and along y: Grams are padded to multiples of these. */
export const GRAM_BLOCK = { rows: 2, cols: 4 } as const;

/** Output chunk widths (floats) of the right product kernels, widest first: `right_mul${w}` needs p % w === 0. */
export const RIGHT_MUL_WIDTHS = [16, 8, 4] as const;

/** Largest size the shared memory of the Gram worker may grow to, in 64 KiB pages (4 GiB); the shared module's limit. */
export const SHARED_MEMORY_MAX_PAGES = 65536;
