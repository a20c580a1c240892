// Element sizes and float conversions for safetensors dtypes. Everything is little-endian on disk.
import type { SafetensorsDtype } from '../types';

/** Bytes per element of each dtype. */
export const DTYPE_SIZE: Readonly<Record<SafetensorsDtype, number>> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
  F8_E4M3: 1,
  F8_E5M2: 1,
};

/** Dtypes this package reads; F8 types are not written. */
export const READABLE_DTYPES: readonly SafetensorsDtype[] = Object.keys(DTYPE_SIZE) as SafetensorsDtype[];
/** Dtypes this package writes. */
export const WRITABLE_DTYPES: readonly SafetensorsDtype[] = READABLE_DTYPES.filter((d) => !d.startsWith('F8'));

export function isDtype(value: unknown): value is SafetensorsDtype {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(DTYPE_SIZE, value);
}

/** True on little-endian hosts (every platform Node and browsers ship on, but checked once anyway). */
export const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE half (bits) to float, exactly. */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

let f16Table: Float32Array | undefined;
/** All 65536 half values as float32 (256 KiB, built on first use). */
export function halfTable(): Float32Array {
  if (!f16Table) {
    f16Table = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) f16Table[h] = halfToFloat(h);
  }
  return f16Table;
}

/** float32 -> IEEE half bits, round to nearest even; overflow to infinity, NaN kept NaN. */
export function floatToHalfBits(value: number): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 | (mant >>> 13) : 0);
  // Unbiased exponent and the half's biased exponent.
  const e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    // Subnormal half (or zero): shift the full significand right, rounding to nearest even.
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e; // 14..24
    const half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    const up = rem > mid || (rem === mid && (half & 1) === 1);
    return sign | (half + (up ? 1 : 0));
  }
  const half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  const up = rem > 0x1000 || (rem === 0x1000 && (half & 1) === 1);
  // A carry out of the mantissa correctly bumps the exponent (up to infinity).
  return sign | (half + (up ? 1 : 0));
}

/** float32 bits -> bfloat16 bits, round to nearest even; NaN stays a quiet NaN. */
export function floatBitsToBf16(x: number): number {
  if ((x & 0x7f800000) === 0x7f800000 && (x & 0x7fffff) !== 0) return ((x >>> 16) | 0x40) & 0xffff;
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
}

/** E4M3 (fn variant: no infinities, S.1111.111 is NaN, bias 7) byte to float. */
function e4m3ToFloat(b: number): number {
  const sign = b & 0x80 ? -1 : 1;
  const exp = (b >> 3) & 0xf;
  const frac = b & 7;
  if (exp === 15 && frac === 7) return NaN;
  if (exp === 0) return sign * frac * 2 ** -9;
  return sign * (1 + frac / 8) * 2 ** (exp - 7);
}

/** E5M2 (IEEE-like, bias 15) byte to float. */
function e5m2ToFloat(b: number): number {
  const sign = b & 0x80 ? -1 : 1;
  const exp = (b >> 2) & 0x1f;
  const frac = b & 3;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  if (exp === 0) return sign * frac * 2 ** -16;
  return sign * (1 + frac / 4) * 2 ** (exp - 15);
}

let e4m3Table: Float32Array | undefined;
let e5m2Table: Float32Array | undefined;
export function f8Table(dtype: 'F8_E4M3' | 'F8_E5M2'): Float32Array {
  if (dtype === 'F8_E4M3') {
    if (!e4m3Table) e4m3Table = Float32Array.from({ length: 256 }, (_, b) => e4m3ToFloat(b));
    return e4m3Table;
  }
  if (!e5m2Table) e5m2Table = Float32Array.from({ length: 256 }, (_, b) => e5m2ToFloat(b));
  return e5m2Table;
}
