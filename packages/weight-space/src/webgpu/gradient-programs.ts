import { type WebGpuProgram, elementwise, program } from './program';
import { type SpectraShape, packLayout } from './spectra-program';

/**
 * The backward pass of the spectra program, in three dispatches: the r x r coefficients of every position (one
 * workgroup each), then one product for the A side and one for the B side over all positions.
 *
 * With w_i = dsigma_i / sigma_i (0 at sigma_i = 0, where the frames are zero anyway), g = d inner, left frames L and
 * right frames Rf of the prediction (and of the target, with its spectrum) and the cross Grams X_A = A A_t^T,
 * X_B = B^T B_t, the gradients are (see lowrank/singular-values.ts and the SIMD kernels' gradients):
 *   dA   = S_A A + g X_B A_t          dB   = B S_B + g B_t X_A^T
 *   dA_t = g X_B^T A + S_tA A_t       dB_t = g B X_A + B_t S_tB
 * with S_A = L diag(w) L^T, S_B = Rf diag(w) Rf^T. So dX = M_L [A; A_t] and dY = [B, B_t] M_R for two R x R matrices
 * per position (R = r + rt), which the coefficient program writes as [N, 2, R, R].
 */
export function coefficientProgram(shape: SpectraShape): WebGpuProgram {
  const { positions, rank: r, targetRank: rt, targetSpectrum } = shape;
  const pair = rt > 0;
  const R = r + rt;
  const layout = packLayout(shape);
  const inputs = ['pack', 'dsigma', ...(pair ? ['dinner'] : []), ...(targetSpectrum ? ['dtsigma'] : [])];
  const code = `
const R = ${R}u;
const RP = ${r}u;
const RT = ${rt}u;
const P = ${layout.width}u;
var<workgroup> w : array<f32, 64>;

fn frameSum(at : u32, nn : u32, wOff : u32, i : u32, j : u32, base : u32) -> f32 {
  var sum = 0.0;
  for (var c = 0u; c < nn; c = c + 1u) { sum = sum + w[wOff + c] * pack[base + at + i * nn + c] * pack[base + at + j * nn + c]; }
  return sum;
}

fn main(index : i32) {
  _ = uniforms.NAN;
  let n = workgroupId.x;
  let tid = localId.x;
  let base = n * P;
  if (tid < RP) {
    let sigma = pack[base + ${layout.sigma}u + tid];
    w[tid] = select(0.0, dsigma[n * RP + tid] / sigma, sigma > 0.0);
  }
  ${
    targetSpectrum
      ? `if (tid >= 32u && tid < 32u + RT) {
    let c = tid - 32u;
    let sigma = pack[base + ${layout.targetSigma}u + c];
    w[tid] = select(0.0, dtsigma[n * RT + c] / sigma, sigma > 0.0);
  }`
      : ''
  }
  workgroupBarrier();
  let g = ${pair ? 'dinner[n]' : '0.0'};
  for (var e = tid; e < 2u * R * R; e = e + 64u) {
    let right = e >= R * R;
    let rem = e % (R * R);
    let i = rem / R;
    let j = rem % R;
    var v = 0.0;
    if (i < RP && j < RP) {
      v = frameSum(select(${layout.left}u, ${layout.right}u, right), RP, 0u, i, j, base);
    } else if (i >= RP && j >= RP) {
      ${targetSpectrum ? `v = frameSum(select(${layout.targetLeft}u, ${layout.targetRight}u, right), RT, 32u, i - RP, j - RP, base);` : ''}
    } else if (!right) {
      // M_L: [., g X_B; g X_B^T, .]
      if (i < RP) { v = g * pack[base + ${layout.crossB}u + i * RT + (j - RP)]; }
      else { v = g * pack[base + ${layout.crossB}u + j * RT + (i - RP)]; }
    } else {
      // M_R (rows index [B, B_t]'s columns): [., g X_A; g X_A^T, .]
      if (i < RP) { v = g * pack[base + ${layout.crossA}u + i * RT + (j - RP)]; }
      else { v = g * pack[base + ${layout.crossA}u + j * RT + (i - RP)]; }
    }
    result[n * 2u * R * R + e] = v;
  }
}
`;
  return program('LoragenSpectraCoefficients', `${r}_${rt}_${targetSpectrum}`, inputs, [positions, 2, R, R], code, {
    workgroups: positions,
    workgroupSize: 64,
  });
}

/** Rows [from, from + rows) of M_L [A; A_t]: dA (from 0, r rows) or dA_t (from r, rt rows), [N, rows, dIn]. */
export function leftProductProgram(shape: SpectraShape, from: number, rows: number): WebGpuProgram {
  return productProgram('left', shape, from, rows);
}

/** Columns [from, from + cols) of [B, B_t] M_R: dB (from 0, r columns) or dB_t (from r, rt columns), [N, dOut, cols]. */
export function rightProductProgram(shape: SpectraShape, from: number, cols: number): WebGpuProgram {
  return productProgram('right', shape, from, cols);
}

/**
 * The A-side product (`'left'`: `count` rows of M_L [A; A_t]) or the B-side one (`'right'`: `count` columns of
 * [B, B_t] M_R), one thread per element (n, i, j) of the [N, rows, cols] output: the sum of the prediction's r terms
 * and, in pairs, the target's rt terms.
 */
function productProgram(side: 'left' | 'right', shape: SpectraShape, from: number, count: number): WebGpuProgram {
  const { positions, rank: r, targetRank: rt, dIn, dOut } = shape;
  const R = r + rt;
  const pair = rt > 0;
  const left = side === 'left';
  const [rows, cols] = left ? [count, dIn] : [dOut, count];
  const [factor, targetFactor] = left ? ['a', 'ta'] : ['b', 'tb'];
  // m: where the element's row of M_L (coefficient block 0) or column of M_R (block 1) starts; the k-th term, c being
  // its index there (k for the prediction, r + k for the target), pairs it with column j of [A; A_t] (each [rank, dIn])
  // or row i of [B, B_t] (each [dOut, rank])
  const m = left ? `n * ${2 * R * R}u + (${from}u + i) * ${R}u` : `n * ${2 * R * R}u + ${R * R}u + ${from}u + j`;
  const term = (f: string, rank: number, c: string) =>
    left ? `coef[m + ${c}] * ${f}[(n * ${rank}u + k) * ${dIn}u + j]` : `${f}[(n * ${dOut}u + i) * ${rank}u + k] * coef[m + (${c}) * ${R}u]`;
  const sum = (f: string, rank: number, c: string) => `for (var k = 0u; k < ${rank}u; k = k + 1u) { sum = sum + ${term(f, rank, c)}; }`;
  const body = `
  let j = idx % ${cols}u;
  let i = (idx / ${cols}u) % ${rows}u;
  let n = idx / (${cols}u * ${rows}u);
  let m = ${m};
  var sum = 0.0;
  ${sum(factor, r, 'k')}
  ${pair ? sum(targetFactor, rt, `${r}u + k`) : ''}
  result[idx] = sum;`;
  const name = left ? 'LoragenSpectraLeft' : 'LoragenSpectraRight';
  const key = `${r}_${rt}_${left ? dIn : dOut}_${from}_${count}`;
  return elementwise(name, key, ['coef', factor, ...(pair ? [targetFactor] : [])], [positions, rows, cols], body);
}

/** Columns [from, from + width) of a packed [N, P] tensor, as [N, width]. */
export function columnsProgram(positions: number, packWidth: number, from: number, width: number): WebGpuProgram {
  const body = `
  let j = idx % ${width}u;
  let n = idx / ${width}u;
  result[idx] = pack[n * ${packWidth}u + ${from}u + j];`;
  return elementwise('LoragenPackColumns', `${packWidth}_${from}_${width}`, ['pack'], [positions, width], body);
}
