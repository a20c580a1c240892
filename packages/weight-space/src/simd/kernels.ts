import { type WasmFunction, encodeModule, forLoop, op } from './wasm-encoder';

/**
 * The SIMD kernels behind the factored losses on CPU-resident backends. Pointers are byte addresses in the memory
 * the module imports; sizes and strides count elements.
 *
 * - `pack_f64(src, rows, cols, rowStride, colStride, dst, dstStride)`: dst[i][k] = f64(src[i rowStride + k colStride]),
 *   the f32 factor as float64 rows (a transpose when colStride > 1, for B's columns).
 * - `pack_rows_f64(src, rows, cols, dst, dstStride)`: the same for A's contiguous rows with SIMD, cols a multiple of 8.
 * - `pack_columns_f64(src, length, rank, dst, dstStride)`: the transpose for B [length, rank] with SIMD, for an even
 *   length and a rank that is a multiple of 4.
 * - `gram_f64(x, y, p, q, pairs, stride, out)`: out[i][j] = x_i . y_j over float64 rows (p, q multiples of the
 *   {@link GRAM_BLOCK} sizes; rows of `pairs` pairs of doubles, row stride `stride`). With `upper` = 1 (a symmetric
 *   Gram, x = y) blocks below the diagonal are skipped: only entries j >= i are meant to be read. Products of float32 values are exact in float64 and the sums lose almost
 *   nothing, so a Gram's small eigenvalues survive: the cond^2 loss of a float32 Gram is what CholeskyQR2 undoes.
 * - `left_mul(m1, q1, x1, m2, q2, x2, p, n, out, panel)`: out [p, n] = m1 x1 + m2 x2 in float32 (a sum of two
 *   products in one pass over the output; q2 = 0 for one), n a multiple of 16; `panel` is 64 (q1 + q2) bytes of scratch.
 * - `right_mul4` / `right_mul8` / `right_mul16(x1, q1, m1, x2, q2, m2, n, p, out)`: out [n, p] = x1 m1 + x2 m2 in
 *   float32, p a multiple of 4, 8 or 16.
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

/**
 * A's rows as float64 rows with SIMD: cols a multiple of 8 and rows contiguous (row i at src + 4 i cols); pairs of
 * floats are widened by one instruction each, eight per round, where `pack_f64` takes three instructions per float.
 */
function packRowsF64(): WasmFunction {
  const [src, rows, cols, dst, dstStride] = [0, 1, 2, 3, 4];
  const [i, k, s, d, end] = [5, 6, 7, 8, 9];
  const body = forLoop(i, op.i32(0), op.get(rows), 1, [
    ...op.get(src), ...op.get(i), ...op.get(cols), ...op.i32Mul, ...op.i32(2), ...op.i32Shl, ...op.i32Add, ...op.set(s),
    ...op.get(dst), ...op.get(i), ...op.get(dstStride), ...op.i32Mul, ...op.i32(3), ...op.i32Shl, ...op.i32Add, ...op.set(d),
    ...op.get(s), ...op.get(cols), ...op.i32(2), ...op.i32Shl, ...op.i32Add, ...op.set(end),
    ...forLoop(k, op.get(s), op.get(end), 32, [
      ...[0, 1, 2, 3].flatMap((t) => [
        ...op.get(d), ...op.get(k), ...op.v128Load64Zero(8 * t), ...op.f64x2PromoteLowF32x4, ...op.v128Store(16 * t),
      ]),
      ...op.get(d), ...op.i32(64), ...op.i32Add, ...op.set(d),
    ]),
  ]);
  return { name: 'pack_rows_f64', params: Array(5).fill('i32'), locals: Array(5).fill('i32'), body };
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

/** One output row of a product block: the pointer walking its coefficients and its accumulators. */
interface ProductRow {
  coef: number;
  accs: number[];
}

/**
 * The inner loop of the products, `count` steps of: load vecs.length vectors at `vec` (then advance it by `vecStep`
 * bytes) and add splat(*coef) times them to each row's accumulators (then advance each coef by 4). Two rows share
 * the vector loads and give eight independent add chains, enough to keep both float pipes busy; with one row the
 * loop waited on the add latency.
 */
function accumulateTerm(rows: ProductRow[], vec: number, vecStep: number[], vecs: number[], splat: number, j: number, count: number): number[] {
  return forLoop(j, op.i32(0), op.get(count), 1, [
    ...vecs.flatMap((v, t) => [...op.get(vec), ...op.v128Load(16 * t), ...op.set(v)]),
    ...rows.flatMap(({ coef, accs }) => [
      ...op.get(coef), ...op.v128Load32Splat(), ...op.set(splat),
      ...accs.flatMap((a, t) => [...op.get(a), ...op.get(splat), ...op.get(vecs[t]), ...op.f32x4Mul, ...op.f32x4Add, ...op.set(a)]),
      ...op.get(coef), ...op.i32(4), ...op.i32Add, ...op.set(coef),
    ]),
    ...op.get(vec), ...vecStep, ...op.i32Add, ...op.set(vec),
  ]);
}

/** Locals of the two product kernels after their own i32 locals: pointers, then vectors, splat and accumulators. */
function productLocals(firstLocal: number, width: number) {
  const [vec, coef0, coef1] = [firstLocal, firstLocal + 1, firstLocal + 2];
  const firstVector = firstLocal + 3;
  const vecs = Array.from({ length: width }, (_, t) => firstVector + t);
  const splat = firstVector + width;
  const accs = [0, 1].map((row) => Array.from({ length: width }, (_, t) => splat + 1 + row * width + t));
  return { vec, coefs: [coef0, coef1], vecs, splat, accs, i32Count: 3, v128Count: 3 * width + 1 };
}

/** `ptr = base + (first + row) * rowBytes`: expressions of locals, for the row pointers of a block. */
const rowAddress = (base: number, first: number, row: number, rowBytes: number[]) => [
  ...op.get(base), ...op.get(first), ...op.i32(row), ...op.i32Add, ...rowBytes, ...op.i32Mul, ...op.i32Add,
];

/**
 * out [p, n] = m1 [p, q1] x1 [q1, n] + m2 [p, q2] x2 [q2, n] in float32 (q2 = 0 for one term), n a multiple of 16;
 * `panel` is 64 (q1 + q2) bytes of scratch. Each 16-column panel of both x's is copied to contiguous scratch (read in
 * place, rows a whole row apart, 4 KB for dIn = 1024, share one cache set and evict each other), then reused by all
 * p output rows, two at a time.
 */
function leftMul(): WasmFunction {
  const [m1, q1, x1, m2, q2, x2, p, n, out, panel] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const [i, c, j, rowBytes, pairs] = [10, 11, 12, 13, 14];
  const { vec, coefs, vecs, splat, accs, i32Count, v128Count } = productLocals(15, 4);
  const fillPanel = (x: number, q: number, firstRow: number[]) =>
    forLoop(j, op.i32(0), op.get(q), 1, [0, 1, 2, 3].flatMap((t) => [
      ...op.get(panel), ...firstRow, ...op.get(j), ...op.i32Add, ...op.i32(6), ...op.i32Shl, ...op.i32Add,
      ...op.get(x), ...op.get(j), ...op.get(rowBytes), ...op.i32Mul, ...op.i32Add, ...op.get(c), ...op.i32Add,
      ...op.v128Load(16 * t), ...op.v128Store(16 * t),
    ]));
  const block = (rowCount: number) => {
    const rows = coefs.slice(0, rowCount).map((coef, row) => ({ coef, accs: accs[row] }));
    const term = (m: number, q: number) => [
      ...rows.flatMap(({ coef }, row) => [...rowAddress(m, i, row, [...op.get(q), ...op.i32(2), ...op.i32Shl]), ...op.set(coef)]),
      ...accumulateTerm(rows, vec, op.i32(64), vecs, splat, j, q),
    ];
    return [
      ...rows.flatMap((row) => row.accs.flatMap((a) => [...op.v128Zero, ...op.set(a)])),
      ...op.get(panel), ...op.set(vec),
      ...term(m1, q1),
      ...term(m2, q2),
      ...rows.flatMap((row, r) => row.accs.flatMap((a, t) => [
        ...rowAddress(out, i, r, op.get(rowBytes)), ...op.get(c), ...op.i32Add, ...op.get(a), ...op.v128Store(16 * t),
      ])),
    ];
  };
  const body = [
    ...op.get(n), ...op.i32(2), ...op.i32Shl, ...op.set(rowBytes),
    ...op.get(p), ...op.i32(-2), ...op.i32And, ...op.set(pairs),
    ...forLoop(c, op.i32(0), op.get(rowBytes), 64, [
      ...fillPanel(x1, q1, op.i32(0)),
      ...fillPanel(x2, q2, op.get(q1)),
      ...forLoop(i, op.i32(0), op.get(pairs), 2, block(2)),
      ...forLoop(i, op.get(pairs), op.get(p), 1, block(1)),
    ]),
  ];
  return { name: 'left_mul', params: Array(10).fill('i32'), locals: [...Array(5 + i32Count).fill('i32'), ...Array(v128Count).fill('v128')], body };
}

/**
 * out [n, p] = x1 [n, q1] m1 [q1, p] + x2 [n, q2] m2 [q2, p] in float32 (q2 = 0 for one term), in output chunks of
 * `width` vectors (p a multiple of 4 width), two rows of x at a time.
 */
function rightMul(width: number): WasmFunction {
  const [x1, q1, m1, x2, q2, m2, n, p, out] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [k, c, j, rowBytes, pairs] = [9, 10, 11, 12, 13];
  const { vec, coefs, vecs, splat, accs, i32Count, v128Count } = productLocals(14, width);
  const block = (rowCount: number) => {
    const rows = coefs.slice(0, rowCount).map((coef, row) => ({ coef, accs: accs[row] }));
    const term = (x: number, q: number, m: number) => [
      ...rows.flatMap(({ coef }, row) => [...rowAddress(x, k, row, [...op.get(q), ...op.i32(2), ...op.i32Shl]), ...op.set(coef)]),
      ...op.get(m), ...op.get(c), ...op.i32Add, ...op.set(vec),
      ...accumulateTerm(rows, vec, op.get(rowBytes), vecs, splat, j, q),
    ];
    return forLoop(c, op.i32(0), op.get(rowBytes), 16 * width, [
      ...rows.flatMap((row) => row.accs.flatMap((a) => [...op.v128Zero, ...op.set(a)])),
      ...term(x1, q1, m1),
      ...term(x2, q2, m2),
      ...rows.flatMap((row, r) => row.accs.flatMap((a, t) => [
        ...rowAddress(out, k, r, op.get(rowBytes)), ...op.get(c), ...op.i32Add, ...op.get(a), ...op.v128Store(16 * t),
      ])),
    ]);
  };
  const body = [
    ...op.get(p), ...op.i32(2), ...op.i32Shl, ...op.set(rowBytes),
    ...op.get(n), ...op.i32(-2), ...op.i32And, ...op.set(pairs),
    ...forLoop(k, op.i32(0), op.get(pairs), 2, block(2)),
    ...forLoop(k, op.get(pairs), op.get(n), 1, block(1)),
  ];
  return { name: `right_mul${4 * width}`, params: Array(9).fill('i32'), locals: [...Array(5 + i32Count).fill('i32'), ...Array(v128Count).fill('v128')], body };
}

/** Output chunk widths (floats) of the right product kernels, widest first: `right_mul${w}` needs p % w === 0. */
export const RIGHT_MUL_WIDTHS = [16, 8, 4] as const;

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

/**
 * The module's bytes (a few kilobytes, so compiling it synchronously is allowed everywhere), importing a shared
 * memory with `sharedMemory` (for the worker thread of gram-worker.ts).
 */
export function kernelModuleBytes(sharedMemory = false): Uint8Array<ArrayBuffer> {
  return encodeModule([packF64(), packRowsF64(), packColumnsF64(), gramF64(), leftMul(), ...RIGHT_MUL_WIDTHS.map((w) => rightMul(w / 4)), jacobiSweeps()], sharedMemory);
}

type RightMul = (x1: number, q1: number, m1: number, x2: number, q2: number, m2: number, n: number, p: number, out: number) => void;

/** The kernels' exports, as called from JS. */
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
