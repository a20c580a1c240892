// Numeric closeness with a message that shows where and by how much values differ.
type Numeric = number | ArrayLike<number> | number[][] | number[][][];

export interface Tolerance {
  /** relative tolerance, scaled by |expected| @default 1e-5 */
  rtol?: number;
  /** absolute tolerance @default 1e-8 */
  atol?: number;
}

function flatten(v: Numeric): number[] {
  if (typeof v === 'number') return [v];
  const out: number[] = [];
  const walk = (x: unknown): void => {
    if (typeof x === 'number') out.push(x);
    else for (let i = 0; i < (x as ArrayLike<unknown>).length; i++) walk((x as ArrayLike<unknown>)[i]);
  };
  walk(v);
  return out;
}

/** Throws unless every |a - e| <= atol + rtol * |e| (numpy's allclose rule); NaN never matches. */
export function expectClose(actual: Numeric, expected: Numeric, tol: Tolerance = {}): void {
  const { rtol = 1e-5, atol = 1e-8 } = tol;
  const a = flatten(actual);
  const e = flatten(expected);
  if (a.length !== e.length) {
    throw new Error(`expectClose: length ${a.length} != expected length ${e.length}`);
  }
  let bad = 0;
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < a.length; i++) {
    const diff = Math.abs(a[i] - e[i]);
    const allowed = atol + rtol * Math.abs(e[i]);
    if (!(diff <= allowed)) {
      bad++;
      const excess = Number.isNaN(diff) ? Infinity : diff / allowed;
      if (excess > worstExcess || worst < 0) {
        worst = i;
        worstExcess = excess;
      }
    }
  }
  if (bad > 0) {
    const rel = Math.abs(a[worst] - e[worst]) / Math.max(Math.abs(e[worst]), 1e-30);
    throw new Error(
      `expectClose: ${bad} of ${a.length} values differ (rtol ${rtol}, atol ${atol}); worst at index ${worst}: ` +
        `actual ${a[worst]}, expected ${e[worst]}, |diff| ${Math.abs(a[worst] - e[worst]).toExponential(3)}, ` +
        `relative ${rel.toExponential(3)}`,
    );
  }
}
