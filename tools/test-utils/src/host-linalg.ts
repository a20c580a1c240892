// Float64 host products for test oracles, written once: plain loops that are none of the packages' own code.

/** x y in float64 for row-major x [m, k] and y [k, n]; each entry is summed in the order of k. */
export function hostMatMul(x: ArrayLike<number>, y: ArrayLike<number>, m: number, k: number, n: number): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const xip = x[i * k + p];
      for (let j = 0; j < n; j++) out[i * n + j] += xip * y[p * n + j];
    }
  }
  return out;
}

/** x y^T in float64 for row-major x [m, k] and y [n, k] (x = y: the Gram of x's rows). */
export function hostProductTransposed(x: ArrayLike<number>, y: ArrayLike<number>, m: number, n: number, k: number): Float64Array {
  const yT = new Float64Array(k * n);
  for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) yT[p * n + j] = y[j * k + p];
  return hostMatMul(x, yT, m, k, n);
}

/** The dense update dW = scaling * B A [dOut, dIn] in float64, for A [rank, dIn] and B [dOut, rank] row-major. */
export function hostLowRankDelta(A: ArrayLike<number>, B: ArrayLike<number>, rank: number, dIn: number, dOut: number, scaling = 1): Float64Array {
  return hostMatMul(B, A, dOut, rank, dIn).map((v) => scaling * v);
}
