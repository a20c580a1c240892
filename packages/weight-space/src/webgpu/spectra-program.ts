import { GRADIENT_CUTOFF } from '../lowrank/gradient-cutoff';
import { jacobiSweeps } from '../linalg/jacobi-svd';
import { type WebGpuProgram, program } from './program';

/**
 * The factored spectra of the losses in one WGSL dispatch: one workgroup per position does all of a position's
 * work, so the launch count does not grow with the rank or the number of positions.
 *
 * Per position n, for the prediction (A [r, dIn], B [dOut, r]) and, in pair mode, the target (A_t [rt, dIn],
 * B_t [dOut, rt]) stacked as X = [A; A_t] and Y = [B, B_t]:
 *  1. the stacked Grams X X^T and Y^T Y (R = r + rt square), whose off-diagonal blocks are the cross Grams
 *     X_A = A A_t^T and X_B = B^T B_t of the inner product <B A, B_t A_t> = sum X_A * X_B;
 *  2. CholeskyQR2 roots of each factor, as the tfjs-ops formulation (gram-root.ts) computes them: a floored
 *     Cholesky factor L1 of the Gram and its inverse, the Gram of the preconditioned factor L1^-1 A (a second pass
 *     over the factor), its Cholesky factor L2, and the root F = L1 L2 (F_A F_A^T = A A^T, F_B F_B^T = B^T B);
 *  3. the core K = F_B^T F_A scaled to unit Frobenius norm, and its one-sided (Hestenes) Jacobi SVD with a
 *     round-robin ordering, the r/2 rotations of a round on r/2 threads at once;
 *  4. singular values in descending order, and the frames the gradient needs (as the SIMD kernels' writeFrames):
 *     right frame F_A q_i, left frame F_B p_i with p_i = K q_i / sigma_i, zero past GRADIENT_CUTOFF sigma_1.
 * Every r x r step runs in workgroup memory. The output is one packed row per position (see {@link packLayout}).
 */

/** Workgroup size of the spectra program. */
const THREADS = 256;
/** The largest stacked rank R (= r + rt in pair mode, r otherwise) the program takes. */
export const MAX_STACKED_RANK = 32;
/** Floats of a Gram tile (R rows x T columns of the factors). */
const TILE = 512;

/** What a spectra program computes. */
export interface SpectraShape {
  positions: number;
  rank: number;
  /** The target's rank; 0 without a target (the prediction's spectrum alone). */
  targetRank: number;
  dIn: number;
  dOut: number;
  /** Pair mode: also the target's singular values and frames (a raw target). */
  targetSpectrum: boolean;
}

/** Float offsets of the packed per-position row. */
export interface PackLayout {
  sigma: number;
  inner: number;
  targetSigma: number;
  left: number;
  right: number;
  crossA: number;
  crossB: number;
  targetLeft: number;
  targetRight: number;
  width: number;
}

export function packLayout({ rank: r, targetRank: rt }: SpectraShape): PackLayout {
  const pair = rt > 0;
  const sigma = 0;
  const inner = r;
  const targetSigma = inner + (pair ? 1 : 0);
  const left = targetSigma + rt;
  const right = left + r * r;
  const crossA = right + r * r;
  const crossB = crossA + r * rt;
  const targetLeft = crossB + r * rt;
  const targetRight = targetLeft + rt * rt;
  return { sigma, inner, targetSigma, left, right, crossA, crossB, targetLeft, targetRight, width: targetRight + rt * rt };
}

/** Bytes of workgroup memory the program needs (checked against the device's limit before it is used). */
export function spectraWorkgroupBytes(shape: SpectraShape): number {
  const { rank: r, targetRank: rt, targetSpectrum } = shape;
  const stacked = r + rt;
  const tileColumns = Math.max(4, Math.floor(TILE / stacked));
  const ch = 2 * (r * r + (targetSpectrum ? rt * rt : 0));
  return 4 * (2 * stacked * stacked + 2 * stacked * tileColumns + 2 * Math.max(ch, 1) + 3 * 128 + 2 * 64 + 8);
}

export function spectraProgram(shape: SpectraShape): WebGpuProgram {
  const { positions, rank: r, targetRank: rt, dIn, dOut, targetSpectrum } = shape;
  const pair = rt > 0;
  const R = r + rt;
  const sets = targetSpectrum ? 2 : 1;
  const rows2 = sets === 2 ? R : r; // rows of the second (preconditioned) Gram pass
  const T = Math.max(4, Math.floor(TILE / R));
  const layout = packLayout(shape);
  const maxN = Math.max(r, sets === 2 ? rt : 0);
  const sweeps = jacobiSweeps(maxN) + 2;
  const ch = 2 * (r * r + (sets === 2 ? rt * rt : 0));
  const entries = Math.ceil((R * R) / THREADS);
  const diagEntries = r * r + (sets === 2 ? rt * rt : 0);
  const target = (expr: string) => (pair ? expr : '0.0');
  const code = `
const R = ${R}u;
const RP = ${r}u;
const RT = ${rt}u;
const T = ${T}u;
const DIN = ${dIn}u;
const DOUT = ${dOut}u;
const P = ${layout.width}u;
const SETS = ${sets}u;
const ROWS2 = ${rows2}u;
const CH = ${Math.max(ch, 1)}u;
const WG = ${THREADS}u;
const CUTOFF = ${GRADIENT_CUTOFF};

var<workgroup> gA : array<f32, ${R * R}>;
var<workgroup> gB : array<f32, ${R * R}>;
var<workgroup> tile : array<f32, ${R * T}>;
var<workgroup> qtile : array<f32, ${R * T}>;
var<workgroup> inv : array<f32, ${Math.max(ch, 1)}>;
var<workgroup> l1f : array<f32, ${Math.max(ch, 1)}>;
var<workgroup> raised : array<f32, 128>;
var<workgroup> keep : array<f32, 128>;
var<workgroup> floors : array<f32, 128>;
var<workgroup> norms : array<f32, 64>;
var<workgroup> order : array<u32, 64>;
var<workgroup> scales : array<f32, 8>;

// set s: rows [setOff(s), setOff(s) + setN(s)) of the stack; group f = 2 s + side (side 0: A, 1: B)
fn setN(s : u32) -> u32 { return select(RT, RP, s == 0u); }
fn setOff(s : u32) -> u32 { return select(RP, 0u, s == 0u); }
fn chOff(f : u32) -> u32 { return select(2u * RP * RP + (f - 2u) * RT * RT, f * RP * RP, f < 2u); }

// entry rem (row i, column j) of group f's n x n block; o: the set's first row in the stack
struct Entry { group : u32, s : u32, rem : u32, n : u32, o : u32, i : u32, j : u32 }
fn blockEntry(f : u32, rem : u32) -> Entry {
  let s = f / 2u;
  let n = setN(s);
  return Entry(f, s, rem, n, setOff(s), rem / n, rem % n);
}
// entry e of all groups' blocks, packed in chOff order
fn groupEntry(e : u32) -> Entry {
  var f = 0u;
  var rem = e;
  loop {
    let nn = setN(f / 2u);
    if (rem < nn * nn || f >= 3u) { break; }
    rem = rem - nn * nn;
    f = f + 1u;
  }
  return blockEntry(f, rem);
}
// entry e of one block a set (set 0's RP * RP entries, then set 1's RT * RT), as an entry of its A-side group 2 s
fn setEntry(e : u32) -> Entry {
  let s = select(1u, 0u, e < RP * RP);
  return blockEntry(2u * s, select(e - RP * RP, e, s == 0u));
}

fn gram(side : u32, i : u32, j : u32) -> f32 {
  if (side == 0u) { return gA[i * R + j]; }
  return gB[i * R + j];
}
fn setGram(side : u32, i : u32, j : u32, v : f32) {
  if (side == 0u) { gA[i * R + j] = v; } else { gB[i * R + j] = v; }
}

// element (rank row k, long index l) of the stacked factor of a side: X = [A; A_t] or Y^T = [B, B_t]^T
fn factor(side : u32, n : u32, k : u32, l : u32) -> f32 {
  if (side == 0u) {
    if (k < RP) { return a[(n * RP + k) * DIN + l]; }
    return ${target('ta[(n * RT + (k - RP)) * DIN + l]')};
  }
  if (k < RP) { return b[(n * DOUT + l) * RP + k]; }
  return ${target('tb[(n * DOUT + l) * RT + (k - RP)]')};
}

// dot product of rows i and j of the tile (of the preconditioned tile, qtile, with preconditioned = true)
fn tileDot(i : u32, j : u32, preconditioned : bool) -> f32 {
  var sum = 0.0;
  if (preconditioned) {
    for (var t = 0u; t < T; t = t + 1u) { sum = sum + qtile[i * T + t] * qtile[j * T + t]; }
  } else {
    for (var t = 0u; t < T; t = t + 1u) { sum = sum + tile[i * T + t] * tile[j * T + t]; }
  }
  return sum;
}

fn loadTile(side : u32, n : u32, rows : u32, l0 : u32, tid : u32) {
  let len = select(DOUT, DIN, side == 0u);
  for (var e = tid; e < rows * T; e = e + WG) {
    // consecutive threads read consecutive addresses: along l for A, along k for B
    var k : u32; var j : u32;
    if (side == 0u) { k = e / T; j = e % T; } else { j = e / rows; k = e % rows; }
    let l = l0 + j;
    var v = 0.0;
    if (l < len) { v = factor(side, n, k, l); }
    tile[k * T + j] = v;
  }
}

// rows of the preconditioned factors L1^-1 X of a side (diagonal blocks) from the tile, into qtile
fn precondition(side : u32, tid : u32) {
  for (var e = tid; e < ROWS2 * T; e = e + WG) {
    let row = e / T;
    let t = e % T;
    let s = select(0u, 1u, row >= RP);
    let o = setOff(s);
    let nn = setN(s);
    let i = row - o;
    let off = chOff(2u * s + side);
    var sum = 0.0;
    for (var k = 0u; k <= i; k = k + 1u) { sum = sum + inv[off + i * nn + k] * tile[(o + k) * T + t]; }
    qtile[row * T + t] = sum;
  }
}

// Gram entry e of a pass: of the whole stack (e < R * R), or with diagonal = true of the sets' diagonal blocks
fn gramEntry(e : u32, diagonal : bool) -> vec2<u32> {
  if (!diagonal) { return vec2<u32>(e / R, e % R); }
  let x = setEntry(e);
  return vec2<u32>(x.o + x.i, x.o + x.j);
}

// One pass of Grams of both sides, accumulated tile by tile into gA / gB: the stacked Grams X X^T and Y^T Y, or with
// preconditioned = true the diagonal blocks' Grams of the preconditioned factors L1^-1 X (second CholeskyQR pass).
// Each thread sums its entries tid + q WG (q < ENTRIES) over the tiles, then writes them.
fn grams(preconditioned : bool, n : u32, tid : u32) {
  let count = select(R * R, ${diagEntries}u, preconditioned);
  let rows = select(R, ROWS2, preconditioned);
  for (var side = 0u; side < 2u; side = side + 1u) {
    let len = select(DOUT, DIN, side == 0u);
    var acc : array<f32, ${entries}>;
    for (var q = 0u; q < ${entries}u; q = q + 1u) { acc[q] = 0.0; }
    for (var l0 = 0u; l0 < len; l0 = l0 + T) {
      loadTile(side, n, rows, l0, tid);
      workgroupBarrier();
      if (preconditioned) {
        precondition(side, tid);
        workgroupBarrier();
      }
      for (var q = 0u; q < ${entries}u; q = q + 1u) {
        let e = tid + q * WG;
        if (e < count) { let ij = gramEntry(e, preconditioned); acc[q] = acc[q] + tileDot(ij.x, ij.y, preconditioned); }
      }
      workgroupBarrier();
    }
    for (var q = 0u; q < ${entries}u; q = q + 1u) {
      let e = tid + q * WG;
      if (e < count) { let ij = gramEntry(e, preconditioned); setGram(side, ij.x, ij.y, acc[q]); }
    }
  }
}

// Right-looking Cholesky elimination of the diagonal blocks (all groups at once, one thread per row), as
// linalg/cholesky.ts: pivots below relFloor * max(diag) drop their column. Leaves the multipliers' numerators in the
// strict lower triangle, the pivots on the diagonal, keep/raised per pivot, and with withInverse the unit-lower
// inverse (rows not yet divided by sqrt(raised)) in inv.
fn cholesky(tid : u32, relFloor : f32, withInverse : bool) {
  let f = tid / 32u;
  let i = tid % 32u;
  let s = f / 2u;
  let side = f % 2u;
  let act = f < 2u * SETS && i < setN(min(s, 1u));
  let n = setN(min(s, 1u));
  let o = setOff(min(s, 1u));
  if (act && i == 0u) {
    var m = 0.0;
    for (var k = 0u; k < n; k = k + 1u) { m = max(m, gram(side, o + k, o + k)); }
    floors[f] = m * relFloor + 1e-30;
  }
  if (act && withInverse) {
    for (var k = 0u; k < n; k = k + 1u) { inv[chOff(f) + i * n + k] = select(0.0, 1.0, k == i); }
  }
  workgroupBarrier();
  for (var j = 0u; j < ${maxN}u; j = j + 1u) {
    if (act && j < n) {
      let pivot = gram(side, o + j, o + j);
      let fl = floors[f];
      let kp = select(0.0, 1.0, pivot >= fl);
      let safe = max(pivot, fl);
      if (i == j) { keep[f * 32u + j] = kp; raised[f * 32u + j] = safe; }
      if (i > j) {
        let m = gram(side, o + i, o + j) * kp / safe;
        for (var k = j + 1u; k < n; k = k + 1u) {
          setGram(side, o + i, o + k, gram(side, o + i, o + k) - m * gram(side, o + j, o + k));
        }
        if (withInverse) {
          for (var k = 0u; k <= j; k = k + 1u) {
            inv[chOff(f) + i * n + k] = inv[chOff(f) + i * n + k] - m * inv[chOff(f) + j * n + k];
          }
        }
      }
    }
    workgroupBarrier();
  }
}

// entry (i, j) of a group's factor after cholesky(): the lower factor (floored = false) or the floored one
fn cholFactor(f : u32, i : u32, j : u32, floored : bool) -> f32 {
  let s = f / 2u;
  let o = setOff(s);
  let side = f % 2u;
  if (j > i) { return 0.0; }
  let rs = raised[f * 32u + j];
  var v : f32;
  if (i > j) { v = gram(side, o + i, o + j) * keep[f * 32u + j]; }
  else if (floored) { v = rs; }
  else { v = gram(side, o + j, o + j) * keep[f * 32u + j]; }
  return v / sqrt(rs);
}

fn main(index : i32) {
  _ = uniforms.NAN;
  let n = workgroupId.x;
  let tid = localId.x;
  let base = n * P;

  // 1. stacked Grams of both sides
  grams(false, n, tid);
  workgroupBarrier();

  // cross Grams and the inner product (pair mode)
  ${
    pair
      ? `{
    for (var e = tid; e < RP * RT; e = e + WG) {
      let i = e / RT;
      let j = e % RT;
      result[base + ${layout.crossA}u + e] = gA[i * R + RP + j];
      result[base + ${layout.crossB}u + e] = gB[i * R + RP + j];
    }
    if (tid == 0u) {
      var inner = 0.0;
      for (var e = 0u; e < RP * RT; e = e + 1u) {
        let i = e / RT;
        let j = e % RT;
        inner = inner + gA[i * R + RP + j] * gB[i * R + RP + j];
      }
      result[base + ${layout.inner}u] = inner;
    }
  }`
      : ''
  }
  workgroupBarrier();

  // 2. CholeskyQR2: first pass (floored factor and its inverse)
  cholesky(tid, 1e-6, true);
  for (var e = tid; e < CH; e = e + WG) {
    let x = groupEntry(e);
    l1f[e] = cholFactor(x.group, x.i, x.j, true);
    inv[e] = inv[e] / sqrt(raised[x.group * 32u + x.i]);
  }
  workgroupBarrier();

  // second pass: Grams of the preconditioned factors L1^-1 X (diagonal blocks only), written over the first
  grams(true, n, tid);
  workgroupBarrier();
  cholesky(tid, 1e-12, false);
  // L2 into inv (the inverse is no longer needed)
  for (var e = tid; e < CH; e = e + WG) {
    let x = groupEntry(e);
    inv[e] = cholFactor(x.group, x.i, x.j, false);
  }
  workgroupBarrier();
  // roots F = L1 L2 (lower triangular) into the diagonal blocks of the Grams
  for (var e = tid; e < CH; e = e + WG) {
    let x = groupEntry(e);
    let off = chOff(x.group);
    var sum = 0.0;
    for (var k = x.j; k <= x.i; k = k + 1u) { sum = sum + l1f[off + x.i * x.n + k] * inv[off + k * x.n + x.j]; }
    setGram(x.group % 2u, x.o + x.i, x.o + x.j, select(0.0, sum, x.j <= x.i));
  }
  workgroupBarrier();

  // 3. core K = F_B^T F_A (in l1f's A slot of the set) and V = I (its B slot)
  for (var e = tid; e < CH / 2u; e = e + WG) {
    let x = setEntry(e);
    let o = x.o;
    var sum = 0.0;
    for (var k = max(x.i, x.j); k < x.n; k = k + 1u) { sum = sum + gB[(o + k) * R + o + x.i] * gA[(o + k) * R + o + x.j]; }
    l1f[chOff(x.group) + x.rem] = sum;
    l1f[chOff(x.group + 1u) + x.rem] = select(0.0, 1.0, x.i == x.j);
  }
  workgroupBarrier();
  if (tid < SETS) {
    let nn = setN(tid);
    var sum = 0.0;
    for (var e = 0u; e < nn * nn; e = e + 1u) { let v = l1f[chOff(2u * tid) + e]; sum = sum + v * v; }
    scales[tid] = max(sqrt(sum), 1e-30);
  }
  workgroupBarrier();
  for (var e = tid; e < CH / 2u; e = e + WG) {
    let x = setEntry(e);
    l1f[chOff(x.group) + x.rem] = l1f[chOff(x.group) + x.rem] / scales[x.s];
  }
  workgroupBarrier();

  // one-sided Jacobi, round-robin: thread (s, pair) rotates columns p < q of K and V
  for (var sweep = 0u; sweep < ${sweeps}u; sweep = sweep + 1u) {
    for (var round = 0u; round < ${maxN + (maxN % 2) - 1}u; round = round + 1u) {
      let s = tid / 32u;
      let pr = tid % 32u;
      if (s < SETS) {
        let nn = setN(s);
        let ne = nn + (nn % 2u);
        if (round < ne - 1u && pr < ne / 2u) {
          // seat 0 stays, the others rotate
          var sp = 0u;
          if (pr != 0u) { sp = 1u + (pr - 1u + round) % (ne - 1u); }
          let sq = 1u + (ne - 2u - pr + round) % (ne - 1u);
          let p = min(sp, sq);
          let q = max(sp, sq);
          if (q < nn) {
            let kOff = chOff(2u * s);
            let vOff = chOff(2u * s + 1u);
            var alpha = 0.0; var beta = 0.0; var gamma = 0.0; var gap = 0.0;
            for (var i = 0u; i < nn; i = i + 1u) {
              let kp = l1f[kOff + i * nn + p];
              let kq = l1f[kOff + i * nn + q];
              alpha = alpha + kp * kp;
              beta = beta + kq * kq;
              gamma = gamma + kp * kq;
              gap = gap + (kq - kp) * (kq + kp);
            }
            if (abs(gamma) > 1e-7 * sqrt(alpha * beta) && gamma != 0.0) {
              let zeta = gap / (2.0 * gamma);
              var t : f32;
              if (abs(zeta) > 1e15) { t = 0.5 / zeta; }
              else { t = sign(zeta) / (abs(zeta) + sqrt(1.0 + zeta * zeta)); if (zeta == 0.0) { t = 1.0; } }
              let c = 1.0 / sqrt(1.0 + t * t);
              let sn = c * t;
              for (var i = 0u; i < nn; i = i + 1u) {
                let kp = l1f[kOff + i * nn + p];
                let kq = l1f[kOff + i * nn + q];
                l1f[kOff + i * nn + p] = c * kp - sn * kq;
                l1f[kOff + i * nn + q] = sn * kp + c * kq;
                let vp = l1f[vOff + i * nn + p];
                let vq = l1f[vOff + i * nn + q];
                l1f[vOff + i * nn + p] = c * vp - sn * vq;
                l1f[vOff + i * nn + q] = sn * vp + c * vq;
              }
            }
          }
        }
      }
      workgroupBarrier();
    }
  }

  // 4. singular values (column norms), their descending order, and the frames; thread tid = 32 cs + ci of the
  // first SETS * 32 holds column ci of set cs
  let cs = tid / 32u;
  let ci = tid % 32u;
  let column = tid < SETS * 32u && ci < setN(cs);
  if (column) {
    let nn = setN(cs);
    var sum = 0.0;
    for (var k = 0u; k < nn; k = k + 1u) { let v = l1f[chOff(2u * cs) + k * nn + ci]; sum = sum + v * v; }
    norms[cs * 32u + ci] = sqrt(sum);
  }
  workgroupBarrier();
  if (column) {
    let mine = norms[cs * 32u + ci];
    var rank = 0u;
    for (var j = 0u; j < setN(cs); j = j + 1u) {
      let other = norms[cs * 32u + j];
      if (other > mine || (other == mine && j < ci)) { rank = rank + 1u; }
    }
    order[cs * 32u + rank] = ci;
    let sigmaAt = select(${layout.targetSigma}u, ${layout.sigma}u, cs == 0u);
    result[base + sigmaAt + rank] = mine * scales[cs];
  }
  workgroupBarrier();
  for (var e = tid; e < CH / 2u; e = e + WG) {
    let x = setEntry(e);
    let s = x.s;
    let nn = x.n;
    let o = x.o;
    let row = x.i;
    let col = order[s * 32u + x.j];
    let top = norms[s * 32u + order[s * 32u]];
    let norm = norms[s * 32u + col];
    var right = 0.0;
    var left = 0.0;
    if (norm > top * CUTOFF) {
      for (var k = 0u; k <= row; k = k + 1u) {
        right = right + gA[(o + row) * R + o + k] * l1f[chOff(2u * s + 1u) + k * nn + col];
        left = left + gB[(o + row) * R + o + k] * l1f[chOff(2u * s) + k * nn + col];
      }
      left = left / norm;
    }
    let leftAt = select(${layout.targetLeft}u, ${layout.left}u, s == 0u);
    let rightAt = select(${layout.targetRight}u, ${layout.right}u, s == 0u);
    result[base + leftAt + x.rem] = left;
    result[base + rightAt + x.rem] = right;
  }
}
`;
  const inputs = pair ? ['a', 'b', 'ta', 'tb'] : ['a', 'b'];
  const key = `${r}_${rt}_${dIn}_${dOut}_${sets}`;
  return program('LoragenSpectra', key, inputs, [positions, layout.width], code, { workgroups: positions, workgroupSize: THREADS });
}
