// Lin et al. 2023, "Common Diffusion Noise Schedules and Sample Steps are Flawed": shift and scale sqrt(abar)
// so that the last step is pure noise (SNR 0) while the first step keeps its value.

/** Returns abar rescaled so that abar[T-1] = 0 and abar[0] is unchanged. */
export function rescaleToZeroTerminalSnr(alphasCumprod: Float64Array): Float64Array {
  const root = alphasCumprod.map(Math.sqrt);
  const first = root[0];
  const last = root[root.length - 1];
  const gain = first / (first - last);
  return root.map((r) => ((r - last) * gain) ** 2);
}
