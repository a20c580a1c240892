// Float64 host products for test oracles, written once: plain loops that are none of the packages' own code.

/** x y^T in float64 for row-major x [m, k] and y [n, k] (x = y: the Gram of x's rows). */
export function hostProductTransposed(x: ArrayLike<number>, y: ArrayLike<number>, m: number, n: number, k: number): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += x[i * k + p] * y[j * k + p];
      out[i * n + j] = s;
    }
  }
  return out;
}

/** The dense update dW = scaling * B A [dOut, dIn] in float64, for A [rank, dIn] and B [dOut, rank] row-major. */
export function hostLowRankDelta(A: ArrayLike<number>, B: ArrayLike<number>, rank: number, dIn: number, dOut: number, scaling = 1): Float64Array {
  const out = new Float64Array(dOut * dIn);
  for (let i = 0; i < dOut; i++) {
    for (let j = 0; j < dIn; j++) {
      let s = 0;
      for (let k = 0; k < rank; k++) s += B[i * rank + k] * A[k * dIn + j];
      out[i * dIn + j] = scaling * s;
    }
  }
  return out;
}
