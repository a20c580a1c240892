import { type WasmFunction, encodeModule, forLoop, op } from './wasm-encoder';

/**
 * The SIMD kernels behind the factored losses on CPU-resident backends. Pointers are byte addresses in the memory
 * the module imports; sizes and strides count elements.
 *
 * - `pack_f64(src, rows, cols, rowStride, colStride, dst, dstStride)`: dst[i][k] = f64(src[i rowStride + k colStride]),
 *   the f32 factor as float64 rows (a transpose when colStride > 1, for B's columns). Memory-bound: a SIMD version
 *   for A's contiguous rows measured no faster.
 * - `pack_columns_f64(src, length, rank, dst, dstStride)`: the transpose for B [length, rank] with SIMD, for an even
 *   length and a rank that is a multiple of 4.
 * - `gram_f64(x, y, p, q, pairs, stride, out)`: out[i][j] = x_i . y_j over float64 rows (p, q multiples of the
 *   {@link GRAM_BLOCK} sizes; rows of `pairs` pairs of doubles, row stride `stride`). With `upper` = 1 (a symmetric
 *   Gram, x = y) blocks below the diagonal are skipped: only entries j >= i are meant to be read. Products of float32 values are exact in float64 and the sums lose almost
 *   nothing, so a Gram's small eigenvalues survive: the cond^2 loss of a float32 Gram is what CholeskyQR2 undoes.
 * - `left_mul(m, p, q, x, n, out, accumulate, panel)`: out [p, n] (+)= m [p, q] x [q, n] in float32, n a multiple of
 *   16; `panel` is 64 q bytes of scratch.
 * - `right_mul(x, n, q, m, p, out, accumulate)` / `right_mul16`: out [n, p] (+)= x [n, q] m [q, p] in float32, p a
 *   multiple of 4 (of 16 for the unrolled one). With accumulate = 1 the product is added to what out holds.
 */
function packF64(): WasmFunction {
  const [src, rows, cols, rowStride, colStride, dst, dstStride] = [0, 1, 2, 3, 4, 5, 6];
  const [i, k, s, d] = [7, 8, 9, 10];
  const body = forLoop(i, op.i32(0), op.get(rows), 1, [
    // s = src + 4 i rowStride; d = dst + 8 i dstStride
    ...op.get(src), ...op.get(i), ...op.get(rowStride), ...op.i32Mul, ...op.i32(2), ...op.i32Shl, ...op.i32Add, ...op.set(s),
    ...op.get(dst), ...op.get(i), ...op.get(dstStride), ...op.i32Mul, ...op.i32(3), ...op.i32Shl, ...op.i32Add, ...op.set(d),
    ...forLoop(k, op.i32(0), op.get(cols), 1, [
      ...op.get(d), ...op.get(s), ...op.f32Load(), ...op.f64PromoteF32, ...op.f64Store(),
      ...op.get(s), ...op.get(colStride), ...op.i32(2), ...op.i32Shl, ...op.i32Add, ...op.set(s),
      ...op.get(d), ...op.i32(8), ...op.i32Add, ...op.set(d),
    ]),
  ]);
  return { name: 'pack_f64', params: Array(7).fill('i32'), locals: ['i32', 'i32', 'i32', 'i32'], body };
}

/** Byte lanes of i8x16.shuffle taking the low (or high) double of each of two f64x2 vectors. */
const LOW_DOUBLES = [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23];
const HIGH_DOUBLES = [8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31];

/**
 * B's columns as float64 rows, four at a time: two source rows of four floats are widened to doubles and transposed
 * in 2 x 2 blocks by shuffles, so each 64-byte source row is read once per four columns instead of once per column.
 */
function packColumnsF64(): WasmFunction {
  const [src, length, rank, dst, dstStride] = [0, 1, 2, 3, 4];
  const [i, k, s, d, rowBytes, srcStep] = [5, 6, 7, 8, 9, 10];
  const [x0, x1, y0, y1] = [11, 12, 13, 14];
  const widen = (to: number, offset: number) => [...op.get(s), ...op.v128Load64Zero(offset), ...op.f64x2PromoteLowF32x4, ...op.set(to)];
  // destination row i + t at column k: d + t rowBytes + 8 k
  const store = (t: number, u: number, v: number, lanes: number[]) => [
    ...op.get(d), ...op.get(rowBytes), ...op.i32(t), ...op.i32Mul, ...op.i32Add, ...op.get(k), ...op.i32(3), ...op.i32Shl, ...op.i32Add,
    ...op.get(u), ...op.get(v), ...op.i8x16Shuffle(lanes), ...op.v128Store(),
  ];
  const body = [
    ...op.get(dstStride), ...op.i32(3), ...op.i32Shl, ...op.set(rowBytes),
    ...op.get(rank), ...op.i32(2), ...op.i32Shl, ...op.set(srcStep),
    ...forLoop(i, op.i32(0), op.get(rank), 4, [
      ...op.get(src), ...op.get(i), ...op.i32(2), ...op.i32Shl, ...op.i32Add, ...op.set(s),
      ...op.get(dst), ...op.get(i), ...op.get(rowBytes), ...op.i32Mul, ...op.i32Add, ...op.set(d),
      ...forLoop(k, op.i32(0), op.get(length), 2, [
        ...widen(x0, 0), ...widen(x1, 8),
        ...op.get(s), ...op.get(srcStep), ...op.i32Add, ...op.set(s),
        ...widen(y0, 0), ...widen(y1, 8),
        ...op.get(s), ...op.get(srcStep), ...op.i32Add, ...op.set(s),
        ...store(0, x0, y0, LOW_DOUBLES), ...store(1, x0, y0, HIGH_DOUBLES),
        ...store(2, x1, y1, LOW_DOUBLES), ...store(3, x1, y1, HIGH_DOUBLES),
      ]),
    ]),
  ];
  return { name: 'pack_columns_f64', params: Array(5).fill('i32'), locals: [...Array(6).fill('i32'), ...Array(4).fill('v128')], body };
}

/** Rows per block of `gram_f64` along x and along y: 2 x 4 accumulators of two doubles each fit the registers. */
export const GRAM_BLOCK = { rows: 2, cols: 4 } as const;

function gramF64(): WasmFunction {
  const [x, y, p, q, pairs, stride, out, upper] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [i, j, k, rowBytes, end] = [8, 9, 10, 11, 12];
  const { rows, cols } = GRAM_BLOCK;
  // i32 locals: row pointers of the block; v128 locals: loaded rows, then accumulators.
  const xPtr = Array.from({ length: rows }, (_, t) => 13 + t);
  const yPtr = Array.from({ length: cols }, (_, t) => 13 + rows + t);
  const firstVector = 13 + rows + cols;
  const xVec = Array.from({ length: rows }, (_, t) => firstVector + t);
  const yVec = Array.from({ length: cols }, (_, t) => firstVector + rows + t);
  const accs = Array.from({ length: rows * cols }, (_, t) => firstVector + rows + cols + t);
  const load = (to: number, base: number) => [...op.get(base), ...op.get(k), ...op.i32Add, ...op.v128Load(), ...op.set(to)];
  const rowPointers = (base: number, first: number, ptrs: number[]) =>
    ptrs.flatMap((ptr, t) => [
      ...op.get(base), ...op.get(first), ...op.i32(t), ...op.i32Add, ...op.get(rowBytes), ...op.i32Mul, ...op.i32Add, ...op.set(ptr),
    ]);
  // out[(i + di) q + j + dj] = both lanes of the accumulator summed
  const store = (di: number, dj: number, a: number) => [
    ...op.get(out), ...op.get(i), ...op.i32(di), ...op.i32Add, ...op.get(q), ...op.i32Mul,
    ...op.get(j), ...op.i32Add, ...op.i32(dj), ...op.i32Add, ...op.i32(3), ...op.i32Shl, ...op.i32Add,
    ...op.get(a), ...op.f64x2ExtractLane(0), ...op.get(a), ...op.f64x2ExtractLane(1), ...op.f64Add, ...op.f64Store(),
  ];
  const body = [
    ...op.get(stride), ...op.i32(3), ...op.i32Shl, ...op.set(rowBytes),
    ...op.get(pairs), ...op.i32(4), ...op.i32Shl, ...op.set(end),
    ...forLoop(i, op.i32(0), op.get(p), rows, [
      ...rowPointers(x, i, xPtr),
      // upper != 0: start at the column block holding the diagonal (blocks wholly below it are skipped)
      ...forLoop(j, [...op.get(i), ...op.i32(-cols), ...op.i32And, ...op.get(upper), ...op.i32Mul], op.get(q), cols, [
        ...rowPointers(y, j, yPtr),
        ...accs.flatMap((a) => [...op.v128Zero, ...op.set(a)]),
        ...forLoop(k, op.i32(0), op.get(end), 16, [
          ...xPtr.flatMap((ptr, t) => load(xVec[t], ptr)),
          ...yPtr.flatMap((ptr, t) => load(yVec[t], ptr)),
          ...accs.flatMap((a, t) => [
            ...op.get(a), ...op.get(xVec[Math.floor(t / cols)]), ...op.get(yVec[t % cols]), ...op.f64x2Mul, ...op.f64x2Add, ...op.set(a),
          ]),
        ]),
        ...accs.flatMap((a, t) => store(Math.floor(t / cols), t % cols, a)),
      ]),
    ]),
  ];
  const i32Locals = 5 + rows + cols;
  const v128Locals = rows + cols + rows * cols;
  return { name: 'gram_f64', params: Array(8).fill('i32'), locals: [...Array(i32Locals).fill('i32'), ...Array(v128Locals).fill('v128')], body };
}

/**
 * One output chunk of accs.length vectors: accs[t] = (accumulate ? dst[t] : 0) + sum_{j < count} splat(coef(j)) *
 * vec(j)[4t .. 4t + 4), then stored to dst. `accumulate` is a local: the second term of a sum of products.
 */
function multiplyAccumulate(accs: number[], coef: number[], vecBase: number[], j: number, count: number, dst: number[], accumulate: number): number[] {
  const init = [
    ...op.get(accumulate), ...op.if,
    ...accs.flatMap((a, t) => [...dst, ...op.v128Load(16 * t), ...op.set(a)]),
    ...op.else,
    ...accs.flatMap((a) => [...op.v128Zero, ...op.set(a)]),
    ...op.end,
  ];
  const step = accs.flatMap((a, t) => [
    ...op.get(a), ...coef, ...op.v128Load32Splat(), ...vecBase, ...op.v128Load(16 * t), ...op.f32x4Mul, ...op.f32x4Add, ...op.set(a),
  ]);
  const store = accs.flatMap((a, t) => [...dst, ...op.get(a), ...op.v128Store(16 * t)]);
  return [...init, ...forLoop(j, op.i32(0), op.get(count), 1, step), ...store];
}

function leftMul(): WasmFunction {
  const [m, p, q, x, n, out, accumulate, panel] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [i, c, j, rowBytes, end] = [8, 9, 10, 11, 12];
  const accs = [13, 14, 15, 16];
  // coefficient m[i q + j] and row j of the panel (64 bytes per row)
  const coef = [...op.get(m), ...op.get(i), ...op.get(q), ...op.i32Mul, ...op.get(j), ...op.i32Add, ...op.i32(2), ...op.i32Shl, ...op.i32Add];
  const vec = [...op.get(panel), ...op.get(j), ...op.i32(6), ...op.i32Shl, ...op.i32Add];
  const dst = [...op.get(out), ...op.get(i), ...op.get(rowBytes), ...op.i32Mul, ...op.i32Add, ...op.get(c), ...op.i32Add];
  // x[:, c .. c + 16) copied to the contiguous panel: read in place, the q rows lie a whole row apart (4 KB for
  // dIn = 1024), map to one cache set and evict each other; the panel is then reused by all p output rows.
  const fillPanel = forLoop(j, op.i32(0), op.get(q), 1, [0, 1, 2, 3].flatMap((t) => [
    ...vec, ...op.get(x), ...op.get(j), ...op.get(rowBytes), ...op.i32Mul, ...op.i32Add, ...op.get(c), ...op.i32Add,
    ...op.v128Load(16 * t), ...op.v128Store(16 * t),
  ]));
  const body = [
    ...op.get(n), ...op.i32(2), ...op.i32Shl, ...op.tee(rowBytes), ...op.set(end),
    ...forLoop(c, op.i32(0), op.get(end), 64, [
      ...fillPanel,
      ...forLoop(i, op.i32(0), op.get(p), 1, multiplyAccumulate(accs, coef, vec, j, q, dst, accumulate)),
    ]),
  ];
  return { name: 'left_mul', params: Array(8).fill('i32'), locals: [...Array(5).fill('i32'), ...Array(4).fill('v128')], body };
}

function rightMul(name: string, width: number): WasmFunction {
  const [x, n, q, m, p, out, accumulate] = [0, 1, 2, 3, 4, 5, 6];
  const [k, c, j, xRow, oRow, end] = [7, 8, 9, 10, 11, 12];
  const accs = Array.from({ length: width }, (_, t) => 13 + t);
  const dst = [...op.get(oRow), ...op.get(c), ...op.i32Add];
  const coef = [...op.get(xRow), ...op.get(j), ...op.i32(2), ...op.i32Shl, ...op.i32Add];
  const vec = [...op.get(m), ...op.get(j), ...op.get(end), ...op.i32Mul, ...op.i32Add, ...op.get(c), ...op.i32Add];
  const body = [
    ...op.get(p), ...op.i32(2), ...op.i32Shl, ...op.set(end),
    ...forLoop(k, op.i32(0), op.get(n), 1, [
      ...op.get(x), ...op.get(k), ...op.get(q), ...op.i32Mul, ...op.i32(2), ...op.i32Shl, ...op.i32Add, ...op.set(xRow),
      ...op.get(out), ...op.get(k), ...op.get(end), ...op.i32Mul, ...op.i32Add, ...op.set(oRow),
      ...forLoop(c, op.i32(0), op.get(end), 16 * width, multiplyAccumulate(accs, coef, vec, j, q, dst, accumulate)),
    ]),
  ];
  return { name, params: Array(7).fill('i32'), locals: [...Array(6).fill('i32'), ...Array(width).fill('v128')], body };
}

/**
 * Hestenes sweeps over the columns of a column-major float64 matrix (columns `stride` doubles apart, stride even)
 * and its squared column norms, in place, until no pair of the first r columns has a cosine above `tol` or
 * `maxSweeps` ran: each pair's dot product and rotation are two-lane SIMD over the column.
 */
function jacobiSweeps(): WasmFunction {
  const [a, norms, r, stride, tol, maxSweeps] = [0, 1, 2, 3, 4, 5];
  const [sweep, p, q, i, po, qo, end, rotated] = [6, 7, 8, 9, 10, 11, 12, 13];
  const [gamma, alpha, beta, zeta, mag, t, c, s] = [14, 15, 16, 17, 18, 19, 20, 21];
  const [acc, vc, vs, ap, aq, rp, rq, np, nq] = [22, 23, 24, 25, 26, 27, 28, 29, 30];
  const lanes = (v: number) => [...op.get(v), ...op.f64x2ExtractLane(0), ...op.get(v), ...op.f64x2ExtractLane(1), ...op.f64Add];
  const normAt = (index: number) => [...op.get(norms), ...op.get(index), ...op.i32(3), ...op.i32Shl, ...op.i32Add];
  const column = (index: number, to: number) => [...op.get(a), ...op.get(index), ...op.get(end), ...op.i32Mul, ...op.i32Add, ...op.set(to)];
  const at = (base: number) => [...op.get(base), ...op.get(i), ...op.i32Add];
  const fma = (sum: number, x: number[], y: number[]) => [...op.get(sum), ...x, ...y, ...op.f64x2Mul, ...op.f64x2Add, ...op.set(sum)];
  const rotate = [
    // the smaller root of t^2 + 2 zeta t - 1 = 0, zeta = (beta - alpha) / (2 gamma); 1 / (2 zeta) once zeta^2 overflows
    ...op.get(beta), ...op.get(alpha), ...op.f64Sub, ...op.get(gamma), ...op.f64(2), ...op.f64Mul, ...op.f64Div, ...op.tee(zeta),
    ...op.f64Abs, ...op.set(mag),
    ...op.f64(1), ...op.get(zeta), ...op.f64Copysign,
    ...op.get(mag), ...op.f64(2), ...op.f64Mul,
    ...op.get(mag), ...op.f64(1), ...op.get(zeta), ...op.get(zeta), ...op.f64Mul, ...op.f64Add, ...op.f64Sqrt, ...op.f64Add,
    ...op.get(mag), ...op.f64(1e150), ...op.f64Gt, ...op.select,
    ...op.f64Div, ...op.set(t),
    ...op.f64(1), ...op.f64(1), ...op.get(t), ...op.get(t), ...op.f64Mul, ...op.f64Add, ...op.f64Sqrt, ...op.f64Div, ...op.tee(c),
    ...op.f64x2Splat, ...op.set(vc),
    ...op.get(c), ...op.get(t), ...op.f64Mul, ...op.tee(s), ...op.f64x2Splat, ...op.set(vs),
    ...op.v128Zero, ...op.set(np), ...op.v128Zero, ...op.set(nq),
    ...forLoop(i, op.i32(0), op.get(end), 16, [
      ...at(po), ...op.v128Load(), ...op.set(ap),
      ...at(qo), ...op.v128Load(), ...op.set(aq),
      ...op.get(vc), ...op.get(ap), ...op.f64x2Mul, ...op.get(vs), ...op.get(aq), ...op.f64x2Mul, ...op.f64x2Sub, ...op.set(rp),
      ...op.get(vs), ...op.get(ap), ...op.f64x2Mul, ...op.get(vc), ...op.get(aq), ...op.f64x2Mul, ...op.f64x2Add, ...op.set(rq),
      ...at(po), ...op.get(rp), ...op.v128Store(),
      ...at(qo), ...op.get(rq), ...op.v128Store(),
      ...fma(np, op.get(rp), op.get(rp)),
      ...fma(nq, op.get(rq), op.get(rq)),
    ]),
    ...normAt(p), ...lanes(np), ...op.f64Store(),
    ...normAt(q), ...lanes(nq), ...op.f64Store(),
  ];
  const pair = [
    ...op.block,
    ...column(p, po), ...column(q, qo),
    ...op.v128Zero, ...op.set(acc),
    ...forLoop(i, op.i32(0), op.get(end), 16, fma(acc, [...at(po), ...op.v128Load()], [...at(qo), ...op.v128Load()])),
    ...lanes(acc), ...op.set(gamma),
    ...normAt(p), ...op.f64Load(), ...op.set(alpha),
    ...normAt(q), ...op.f64Load(), ...op.set(beta),
    // orthogonal enough (this includes gamma = 0): skip the pair
    ...op.get(gamma), ...op.f64Abs, ...op.get(tol), ...op.get(alpha), ...op.get(beta), ...op.f64Mul, ...op.f64Sqrt, ...op.f64Mul,
    ...op.f64Le, ...op.brIf(0),
    ...op.get(rotated), ...op.i32(1), ...op.i32Add, ...op.set(rotated),
    ...rotate,
    ...op.end,
  ];
  const body = [
    ...op.get(stride), ...op.i32(3), ...op.i32Shl, ...op.set(end),
    ...forLoop(sweep, op.i32(0), op.get(maxSweeps), 1, [
      ...op.i32(0), ...op.set(rotated),
      ...forLoop(p, op.i32(0), [...op.get(r), ...op.i32(1), ...op.i32Sub], 1,
        forLoop(q, [...op.get(p), ...op.i32(1), ...op.i32Add], op.get(r), 1, pair),
      ),
      // a sweep without rotations: converged, leave the sweep loop
      ...op.get(rotated), ...op.i32Eqz, ...op.brIf(1),
    ]),
  ];
  return {
    name: 'jacobi_sweeps',
    params: ['i32', 'i32', 'i32', 'i32', 'f64', 'i32'],
    locals: [...Array(8).fill('i32'), ...Array(8).fill('f64'), ...Array(9).fill('v128')],
    body,
  };
}

/** The module's bytes (generated once; a few kilobytes, so compiling it synchronously is allowed everywhere). */
export function kernelModuleBytes(): Uint8Array<ArrayBuffer> {
  return encodeModule([packF64(), packColumnsF64(), gramF64(), leftMul(), rightMul('right_mul', 1), rightMul('right_mul16', 4), jacobiSweeps()]);
}

/** The kernels' exports, as called from JS. */
export interface SimdKernels {
  pack_f64(src: number, rows: number, cols: number, rowStride: number, colStride: number, dst: number, dstStride: number): void;
  pack_columns_f64(src: number, length: number, rank: number, dst: number, dstStride: number): void;
  gram_f64(x: number, y: number, p: number, q: number, pairs: number, stride: number, out: number, upper: 0 | 1): void;
  left_mul(m: number, p: number, q: number, x: number, n: number, out: number, accumulate: 0 | 1, panel: number): void;
  right_mul(x: number, n: number, q: number, m: number, p: number, out: number, accumulate: 0 | 1): void;
  right_mul16(x: number, n: number, q: number, m: number, p: number, out: number, accumulate: 0 | 1): void;
  jacobi_sweeps(a: number, norms: number, r: number, stride: number, tol: number, maxSweeps: number): void;
}
