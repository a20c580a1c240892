// The SIMD kernels behind the factored losses on cpu and wasm, in AssemblyScript (compiled by
// scripts/build-kernels.mjs into src/simd/kernel-bytes.generated.ts). The memory layout they expect (byte
// addresses, element strides, block sizes) is described once, in src/simd/kernel-abi.ts; the constants here must
// match GRAM_BLOCK and RIGHT_MUL_WIDTHS there.
//
// Each kernel keeps the exact order of its float operations: every output is one fixed chain of IEEE adds and
// multiplies (no fused multiply-add, no reassociation), so results are bit-identical across engines and with the
// kernels this replaced (test/fixtures/kernel-outputs.json). Blocking (how many outputs share a pass) changes speed,
// never the order of one output's sum.

// ---------------------------------------------------------------------------------------------------------------
// Packing: float32 factor rows into float64 rows (exact conversions)
// ---------------------------------------------------------------------------------------------------------------

/** dst[i][k] = f64(src[i rowStride + k colStride]) for i < rows, k < cols (a transpose when colStride > 1). */
export function pack_f64(src: usize, rows: u32, cols: u32, rowStride: u32, colStride: u32, dst: usize, dstStride: u32): void {
  const srcStep = <usize>colStride << 2;
  for (let i: u32 = 0; i < rows; i++) {
    let from = src + ((<usize>(i * rowStride)) << 2);
    let to = dst + ((<usize>(i * dstStride)) << 3);
    for (let k: u32 = 0; k < cols; k++) {
      store<f64>(to, <f64>load<f32>(from));
      from += srcStep;
      to += 8;
    }
  }
}

/** A's contiguous rows (row i at src + 4 i cols) as float64 rows, cols a multiple of 8: eight floats a round. */
export function pack_rows_f64(src: usize, rows: u32, cols: u32, dst: usize, dstStride: u32): void {
  for (let i: u32 = 0; i < rows; i++) {
    const rowStart = src + ((<usize>(i * cols)) << 2);
    const rowEnd = rowStart + ((<usize>cols) << 2);
    let to = dst + ((<usize>(i * dstStride)) << 3);
    for (let from = rowStart; from < rowEnd; from += 32) {
      v128.store(to, f64x2.promote_low_f32x4(v128.load64_zero(from, 0)), 0);
      v128.store(to, f64x2.promote_low_f32x4(v128.load64_zero(from, 8)), 16);
      v128.store(to, f64x2.promote_low_f32x4(v128.load64_zero(from, 16)), 32);
      v128.store(to, f64x2.promote_low_f32x4(v128.load64_zero(from, 24)), 48);
      to += 64;
    }
  }
}

/**
 * B's columns (B [length, rank] row-major) as float64 rows, four columns at a time, for an even length and a rank
 * that is a multiple of 4: two source rows of four floats are widened and transposed in 2 x 2 blocks of doubles.
 */
export function pack_columns_f64(src: usize, length: u32, rank: u32, dst: usize, dstStride: u32): void {
  const rowBytes = (<usize>dstStride) << 3;
  const srcStep = (<usize>rank) << 2;
  for (let i: u32 = 0; i < rank; i += 4) {
    let from = src + ((<usize>i) << 2);
    const to = dst + <usize>i * rowBytes;
    let k: u32 = 0;
    if (k < length) do {
      // row k: columns i, i+1 (x01) and i+2, i+3 (x23); row k + 1 likewise (y01, y23)
      const x01 = f64x2.promote_low_f32x4(v128.load64_zero(from, 0));
      const x23 = f64x2.promote_low_f32x4(v128.load64_zero(from, 8));
      from += srcStep;
      const y01 = f64x2.promote_low_f32x4(v128.load64_zero(from, 0));
      const y23 = f64x2.promote_low_f32x4(v128.load64_zero(from, 8));
      from += srcStep;
      const at = to + ((<usize>k) << 3);
      v128.store(at, v128.shuffle<f64>(x01, y01, 0, 2));
      v128.store(at + rowBytes, v128.shuffle<f64>(x01, y01, 1, 3));
      v128.store(at + 2 * rowBytes, v128.shuffle<f64>(x23, y23, 0, 2));
      v128.store(at + 3 * rowBytes, v128.shuffle<f64>(x23, y23, 1, 3));
      k += 2;
    } while (k < length);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Gram: out[i][j] = x_i . y_j over float64 rows, in blocks of 2 x 4 (GRAM_BLOCK)
// ---------------------------------------------------------------------------------------------------------------

/** Lane 0 + lane 1 of a two-double accumulator. */
// @ts-ignore: decorator
@inline function laneSum(a: v128): f64 {
  return f64x2.extract_lane(a, 0) + f64x2.extract_lane(a, 1);
}

/** a + x y, two lanes (a multiply, then an add: never fused). */
// @ts-ignore: decorator
@inline function mulAdd(a: v128, x: v128, y: v128): v128 {
  return f64x2.add(a, f64x2.mul(x, y));
}

/**
 * out[i q + j] = x_i . y_j for i < p (a multiple of 2), j < q (a multiple of 4); rows of `pairs` pairs of doubles,
 * `stride` doubles apart. Lane 0 sums the even elements, lane 1 the odd ones, and the two are added at the end.
 * With upper = 1 (x = y, a symmetric Gram) column blocks wholly below the diagonal are skipped.
 */
export function gram_f64(x: usize, y: usize, p: u32, q: u32, pairs: u32, stride: u32, out: usize, upper: u32): void {
  const rowBytes = (<usize>stride) << 3;
  const end = (<usize>pairs) << 4;
  for (let i: u32 = 0; i < p; i += 2) {
    const x0 = x + <usize>i * rowBytes;
    const x1 = x0 + rowBytes;
    for (let j: u32 = (i & ~3) * upper; j < q; j += 4) {
      const y0 = y + <usize>j * rowBytes;
      const y1 = y0 + rowBytes;
      const y2 = y1 + rowBytes;
      const y3 = y2 + rowBytes;
      let a00 = f64x2.splat(0), a01 = f64x2.splat(0), a02 = f64x2.splat(0), a03 = f64x2.splat(0);
      let a10 = f64x2.splat(0), a11 = f64x2.splat(0), a12 = f64x2.splat(0), a13 = f64x2.splat(0);
      // do-while loops with a guard, here and in the hot loops below: one branch per round where a for loop
      // compiles to two (V8 runs the inner loop measurably faster so)
      let k: usize = 0;
      if (k < end) do {
        const u0 = v128.load(x0 + k);
        const u1 = v128.load(x1 + k);
        const v0 = v128.load(y0 + k);
        const v1 = v128.load(y1 + k);
        const v2 = v128.load(y2 + k);
        const v3 = v128.load(y3 + k);
        a00 = mulAdd(a00, u0, v0);
        a01 = mulAdd(a01, u0, v1);
        a02 = mulAdd(a02, u0, v2);
        a03 = mulAdd(a03, u0, v3);
        a10 = mulAdd(a10, u1, v0);
        a11 = mulAdd(a11, u1, v1);
        a12 = mulAdd(a12, u1, v2);
        a13 = mulAdd(a13, u1, v3);
        k += 16;
      } while (k < end);
      const row0 = out + ((<usize>(i * q + j)) << 3);
      const row1 = row0 + ((<usize>q) << 3);
      store<f64>(row0, laneSum(a00), 0);
      store<f64>(row0, laneSum(a01), 8);
      store<f64>(row0, laneSum(a02), 16);
      store<f64>(row0, laneSum(a03), 24);
      store<f64>(row1, laneSum(a10), 0);
      store<f64>(row1, laneSum(a11), 8);
      store<f64>(row1, laneSum(a12), 16);
      store<f64>(row1, laneSum(a13), 24);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Products in float32: out = m1 x1 + m2 x2 (left) and out = x1 m1 + x2 m2 (right), q2 = 0 for one term
// ---------------------------------------------------------------------------------------------------------------

/** acc + splat(coefficient) v, four floats (a multiply, then an add). */
// @ts-ignore: decorator
@inline function axpy(acc: v128, coefficient: v128, v: v128): v128 {
  return f32x4.add(acc, f32x4.mul(coefficient, v));
}

/**
 * out [p, n] = m1 [p, q1] x1 [q1, n] + m2 [p, q2] x2 [q2, n], n a multiple of 16; `panel` is 64 (q1 + q2) bytes of
 * scratch. Each 16-column panel of both x's is copied to contiguous scratch (rows of x a multiple of 4 KB apart
 * share a cache set), then serves all p output rows, two at a time (an odd last row is computed as a pair with
 * itself). Each output float is sum_j m1[i][j] x1[j][c] over j, then the same over m2 x2, in that order.
 */
export function left_mul(m1: usize, q1: u32, x1: usize, m2: usize, q2: u32, x2: usize, p: u32, n: u32, out: usize, panel: usize): void {
  const rowBytes = (<usize>n) << 2;
  for (let c: usize = 0; c < rowBytes; c += 64) {
    fillPanel(panel, x1, q1, rowBytes, c);
    fillPanel(panel + ((<usize>q1) << 6), x2, q2, rowBytes, c);
    for (let i: u32 = 0; i < p; i += 2) {
      const second = i + 1 < p ? i + 1 : i;
      rowPairBlock(m1, q1, panel, m2, q2, panel + ((<usize>q1) << 6), 64, i, second, out + <usize>i * rowBytes + c, out + <usize>second * rowBytes + c, 4);
    }
  }
}

/** Rows j < q of x, 64 bytes from byte column c each, one after another at `to`. */
// @ts-ignore: decorator
@inline function fillPanel(to: usize, x: usize, q: u32, rowBytes: usize, c: usize): void {
  for (let j: u32 = 0; j < q; j++) {
    const from = x + <usize>j * rowBytes + c;
    const at = to + ((<usize>j) << 6);
    v128.store(at, v128.load(from, 0), 0);
    v128.store(at, v128.load(from, 16), 16);
    v128.store(at, v128.load(from, 32), 32);
    v128.store(at, v128.load(from, 48), 48);
  }
}

/**
 * out [n, p] = x1 [n, q1] m1 [q1, p] + x2 [n, q2] m2 [q2, p], in chunks of 4 `vectors` output columns (p a multiple
 * of that), two rows of x at a time (an odd last row as a pair with itself). Order of each output float as in
 * left_mul.
 */
// @ts-ignore: decorator
@inline function rightMul(x1: usize, q1: u32, m1: usize, x2: usize, q2: u32, m2: usize, n: u32, p: u32, out: usize, vectors: u32): void {
  const rowBytes = (<usize>p) << 2;
  for (let k: u32 = 0; k < n; k += 2) {
    const second = k + 1 < n ? k + 1 : k;
    const out0 = out + <usize>k * rowBytes;
    const out1 = out + <usize>second * rowBytes;
    for (let c: usize = 0; c < rowBytes; c += (<usize>vectors) << 4) {
      rowPairBlock(x1, q1, m1 + c, x2, q2, m2 + c, rowBytes, k, second, out0 + c, out1 + c, vectors);
    }
  }
}

/**
 * Two output rows, 4 `vectors` columns, of the sum of two products: rowPairTerm over c1 [*, q1] and v1, then over
 * c2 [*, q2] and v2 adding to what the first left at out0 and out1 (a float32 store and load change nothing, so
 * each output float is the one chain of adds, first term then second).
 */
// @ts-ignore: decorator
@inline function rowPairBlock(c1: usize, q1: u32, v1: usize, c2: usize, q2: u32, v2: usize, vectorStep: usize, first: u32, second: u32, out0: usize, out1: usize, vectors: u32): void {
  rowPairTerm(c1, q1, v1, vectorStep, first, second, out0, out1, vectors, false);
  if (q2 > 0) rowPairTerm(c2, q2, v2, vectorStep, first, second, out0, out1, vectors, true);
}

/**
 * One block of two output rows and 4 `vectors` columns of a product: at out0 the sum over j < q of c[first][j]
 * times the vector row j (4 `vectors` floats at v + j vectorStep bytes), added to what out0 holds when `accumulate`;
 * at out1 the same for row `second`. c [*, q] holds row-major float32 coefficients. `vectors` (1, 2 or 4) and
 * `accumulate` are constants at every call, so the loads and accumulators a width does not use fold away once this
 * is inlined: each kernel compiles to its own register block.
 */
// @ts-ignore: decorator
@inline function rowPairTerm(c: usize, q: u32, v: usize, vectorStep: usize, first: u32, second: u32, out0: usize, out1: usize, vectors: u32, accumulate: bool): void {
  const zero = f32x4.splat(0);
  let a00 = accumulate ? v128.load(out0, 0) : zero;
  let a01 = accumulate && vectors >= 2 ? v128.load(out0, 16) : zero;
  let a02 = accumulate && vectors == 4 ? v128.load(out0, 32) : zero;
  let a03 = accumulate && vectors == 4 ? v128.load(out0, 48) : zero;
  let a10 = accumulate ? v128.load(out1, 0) : zero;
  let a11 = accumulate && vectors >= 2 ? v128.load(out1, 16) : zero;
  let a12 = accumulate && vectors == 4 ? v128.load(out1, 32) : zero;
  let a13 = accumulate && vectors == 4 ? v128.load(out1, 48) : zero;
  let coef0 = c + ((<usize>(first * q)) << 2);
  let coef1 = c + ((<usize>(second * q)) << 2);
  let vec = v;
  let j: u32 = 0;
  if (j < q) do {
    const s0 = v128.load32_splat(coef0);
    const s1 = v128.load32_splat(coef1);
    const w0 = v128.load(vec, 0);
    a00 = axpy(a00, s0, w0);
    a10 = axpy(a10, s1, w0);
    if (vectors >= 2) {
      const w1 = v128.load(vec, 16);
      a01 = axpy(a01, s0, w1);
      a11 = axpy(a11, s1, w1);
    }
    if (vectors == 4) {
      const w2 = v128.load(vec, 32);
      const w3 = v128.load(vec, 48);
      a02 = axpy(a02, s0, w2);
      a03 = axpy(a03, s0, w3);
      a12 = axpy(a12, s1, w2);
      a13 = axpy(a13, s1, w3);
    }
    coef0 += 4;
    coef1 += 4;
    vec += vectorStep;
    j++;
  } while (j < q);
  // row `second` first: when it is `first` (an odd last row) both hold the same values
  v128.store(out1, a10, 0);
  if (vectors >= 2) v128.store(out1, a11, 16);
  if (vectors == 4) {
    v128.store(out1, a12, 32);
    v128.store(out1, a13, 48);
  }
  v128.store(out0, a00, 0);
  if (vectors >= 2) v128.store(out0, a01, 16);
  if (vectors == 4) {
    v128.store(out0, a02, 32);
    v128.store(out0, a03, 48);
  }
}

/** rightMul in chunks of 16 output columns, p a multiple of 16. */
export function right_mul16(x1: usize, q1: u32, m1: usize, x2: usize, q2: u32, m2: usize, n: u32, p: u32, out: usize): void {
  rightMul(x1, q1, m1, x2, q2, m2, n, p, out, 4);
}

/** rightMul in chunks of 8 output columns, p a multiple of 8. */
export function right_mul8(x1: usize, q1: u32, m1: usize, x2: usize, q2: u32, m2: usize, n: u32, p: u32, out: usize): void {
  rightMul(x1, q1, m1, x2, q2, m2, n, p, out, 2);
}

/** rightMul in chunks of 4 output columns, p a multiple of 4. */
export function right_mul4(x1: usize, q1: u32, m1: usize, x2: usize, q2: u32, m2: usize, n: u32, p: u32, out: usize): void {
  rightMul(x1, q1, m1, x2, q2, m2, n, p, out, 1);
}

// ---------------------------------------------------------------------------------------------------------------
// Hestenes (one-sided Jacobi) sweeps over the columns of a column-major float64 matrix
// ---------------------------------------------------------------------------------------------------------------

/**
 * Rotates column pairs of `a` (r columns, `stride` doubles apart, stride even) until no pair of columns has a
 * cosine above `tol` or `maxSweeps` sweeps ran; `norms` holds the columns' squared norms on entry and is kept up to
 * date. Each pair's dot product and rotation are two-lane SIMD down the column.
 */
export function jacobi_sweeps(a: usize, norms: usize, r: u32, stride: u32, tol: f64, maxSweeps: u32): void {
  const columnBytes = (<usize>stride) << 3;
  for (let sweep: u32 = 0; sweep < maxSweeps; sweep++) {
    let rotated: u32 = 0;
    for (let p: u32 = 0; p + 1 < r; p++) {
      for (let q: u32 = p + 1; q < r; q++) {
        const colP = a + <usize>p * columnBytes;
        const colQ = a + <usize>q * columnBytes;
        let dot = f64x2.splat(0);
        let i: usize = 0;
        if (i < columnBytes) do {
          dot = mulAdd(dot, v128.load(colP + i), v128.load(colQ + i));
          i += 16;
        } while (i < columnBytes);
        const gamma = laneSum(dot);
        const alpha = load<f64>(norms + ((<usize>p) << 3));
        const beta = load<f64>(norms + ((<usize>q) << 3));
        // orthogonal enough (this includes gamma = 0): leave the pair
        if (abs<f64>(gamma) <= tol * sqrt<f64>(alpha * beta)) continue;
        rotated++;
        rotate(colP, colQ, columnBytes, norms + ((<usize>p) << 3), norms + ((<usize>q) << 3), alpha, beta, gamma);
      }
    }
    // a sweep without rotations: converged
    if (rotated == 0) break;
  }
}

/**
 * The rotation that makes columns p and q orthogonal, applied to both, and their new squared norms: t is the smaller
 * root of t^2 + 2 zeta t - 1 = 0 with zeta = (beta - alpha) / (2 gamma), and 1 / (2 zeta) once zeta^2 would overflow.
 */
// @ts-ignore: decorator
@inline function rotate(colP: usize, colQ: usize, columnBytes: usize, normP: usize, normQ: usize, alpha: f64, beta: f64, gamma: f64): void {
  const zeta = (beta - alpha) / (gamma * 2);
  const magnitude = abs<f64>(zeta);
  const denominator = magnitude > 1e150 ? magnitude * 2 : magnitude + sqrt<f64>(1 + zeta * zeta);
  const t = copysign<f64>(1, zeta) / denominator;
  const c = 1 / sqrt<f64>(1 + t * t);
  const s = c * t;
  const vc = f64x2.splat(c);
  const vs = f64x2.splat(s);
  let normsP = f64x2.splat(0);
  let normsQ = f64x2.splat(0);
  let i: usize = 0;
  if (i < columnBytes) do {
    const ap = v128.load(colP + i);
    const aq = v128.load(colQ + i);
    const rp = f64x2.sub(f64x2.mul(vc, ap), f64x2.mul(vs, aq));
    const rq = f64x2.add(f64x2.mul(vs, ap), f64x2.mul(vc, aq));
    v128.store(colP + i, rp);
    v128.store(colQ + i, rq);
    normsP = mulAdd(normsP, rp, rp);
    normsQ = mulAdd(normsQ, rq, rq);
    i += 16;
  } while (i < columnBytes);
  store<f64>(normP, laneSum(normsP));
  store<f64>(normQ, laneSum(normsQ));
}
