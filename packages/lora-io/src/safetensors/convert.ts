// Conversion of safetensors tensors to and from Float32Array.
import type { SafetensorsDtype } from '../types';
import { SafetensorsError } from '../errors';
import { DTYPE_SIZE, LITTLE_ENDIAN, f8Table, floatBitsToBf16, floatToHalfBits, halfTable } from './dtypes';

/** One tensor: dtype, shape and its raw little-endian bytes (often a view into the file's buffer). */
export interface SafetensorsTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  data: Uint8Array;
}

/** Number of elements of a shape. */
export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** A typed-array view of `bytes` when aligned, else of an aligned copy. */
function aligned<T>(bytes: Uint8Array, size: number, make: (buf: ArrayBufferLike, off: number, len: number) => T): T {
  const len = bytes.byteLength / size;
  if (bytes.byteOffset % size === 0) return make(bytes.buffer, bytes.byteOffset, len);
  const copy = bytes.slice();
  return make(copy.buffer, 0, len);
}

/**
 * The tensor's values as float32. F32 data that is 4-byte aligned is returned as a zero-copy view of the same
 * memory (pass `copy: true` for an independent array); other dtypes are converted (BF16 by a 16-bit shift,
 * F16 and F8 by table lookup; F64 and integers rounded to the nearest float32).
 */
export function tensorToFloat32(tensor: SafetensorsTensor, opts: { copy?: boolean } = {}): Float32Array {
  const { dtype, data } = tensor;
  const n = numel(tensor.shape);
  if (data.byteLength !== n * DTYPE_SIZE[dtype]) {
    throw new SafetensorsError(`data has ${data.byteLength} bytes, shape x dtype size needs ${n * DTYPE_SIZE[dtype]}`);
  }
  if (!LITTLE_ENDIAN && DTYPE_SIZE[dtype] > 1) return viaDataView(tensor, n);
  switch (dtype) {
    case 'F32': {
      const view = aligned(data, 4, (b, o, l) => new Float32Array(b, o, l));
      return opts.copy && view.buffer === data.buffer ? view.slice() : view;
    }
    case 'BF16': {
      const src = aligned(data, 2, (b, o, l) => new Uint16Array(b, o, l));
      const out = new Uint32Array(n);
      for (let i = 0; i < n; i++) out[i] = src[i] << 16;
      return new Float32Array(out.buffer);
    }
    case 'F16': {
      const src = aligned(data, 2, (b, o, l) => new Uint16Array(b, o, l));
      const table = halfTable();
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = table[src[i]];
      return out;
    }
    case 'F8_E4M3':
    case 'F8_E5M2': {
      const table = f8Table(dtype);
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = table[data[i]];
      return out;
    }
    case 'F64':
      return Float32Array.from(aligned(data, 8, (b, o, l) => new Float64Array(b, o, l)));
    case 'I64': {
      const src = aligned(data, 8, (b, o, l) => new BigInt64Array(b, o, l));
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = Number(src[i]);
      return out;
    }
    case 'I32':
      return Float32Array.from(aligned(data, 4, (b, o, l) => new Int32Array(b, o, l)));
    case 'I16':
      return Float32Array.from(aligned(data, 2, (b, o, l) => new Int16Array(b, o, l)));
    case 'I8':
      return Float32Array.from(new Int8Array(data.buffer, data.byteOffset, n));
    case 'U8':
    case 'BOOL':
      return Float32Array.from(data);
  }
}

/** Readers of one little-endian element at a byte offset, for big-endian hosts (the dtypes wider than a byte). */
const LITTLE_ENDIAN_READERS: Partial<Record<SafetensorsDtype, (dv: DataView, at: number) => number>> = {
  F32: (dv, at) => dv.getFloat32(at, true),
  F64: (dv, at) => dv.getFloat64(at, true),
  F16: (dv, at) => halfTable()[dv.getUint16(at, true)],
  BF16: (dv, at) => new Float32Array(new Uint32Array([dv.getUint16(at, true) << 16]).buffer)[0],
  I64: (dv, at) => Number(dv.getBigInt64(at, true)),
  I32: (dv, at) => dv.getInt32(at, true),
  I16: (dv, at) => dv.getInt16(at, true),
};

function viaDataView(tensor: SafetensorsTensor, n: number): Float32Array {
  const read = LITTLE_ENDIAN_READERS[tensor.dtype];
  if (!read) throw new SafetensorsError(`unsupported dtype ${tensor.dtype} on a big-endian host`);
  const size = DTYPE_SIZE[tensor.dtype];
  const dv = new DataView(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = read(dv, i * size);
  return out;
}

/** Float dtypes `float32ToBytes` writes. */
export type FloatDtype = 'F64' | 'F32' | 'F16' | 'BF16';

/**
 * Encodes float32 values as little-endian bytes of `dtype` (F16 and BF16 rounded to nearest even). For F32 on a
 * little-endian host the result is a view of `values`' own memory (no copy).
 */
export function float32ToBytes(values: Float32Array, dtype: FloatDtype): Uint8Array {
  const n = values.length;
  if (!LITTLE_ENDIAN) {
    const out = new Uint8Array(n * DTYPE_SIZE[dtype]);
    const dv = new DataView(out.buffer);
    const bits = new Uint32Array(Float32Array.from(values).buffer);
    for (let i = 0; i < n; i++) {
      if (dtype === 'F32') dv.setFloat32(i * 4, values[i], true);
      else if (dtype === 'F64') dv.setFloat64(i * 8, values[i], true);
      else if (dtype === 'F16') dv.setUint16(i * 2, floatToHalfBits(values[i]), true);
      else dv.setUint16(i * 2, floatBitsToBf16(bits[i]), true);
    }
    return out;
  }
  switch (dtype) {
    case 'F32':
      return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    case 'F64':
      return new Uint8Array(Float64Array.from(values).buffer);
    case 'F16': {
      const out = new Uint16Array(n);
      for (let i = 0; i < n; i++) out[i] = floatToHalfBits(values[i]);
      return new Uint8Array(out.buffer);
    }
    case 'BF16': {
      const bits = values.byteOffset % 4 === 0 ? new Int32Array(values.buffer, values.byteOffset, n) : new Int32Array(values.slice().buffer);
      const out = float32BitsToBf16(bits);
      return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    }
  }
}

/**
 * float32 bits -> bfloat16 bits, round to nearest even (add 0x7fff plus the kept lowest bit, drop 16 bits), NaN
 * kept a quiet NaN. Works on int32 views (finite values cannot overflow) and stores two results per 32-bit write.
 */
function float32BitsToBf16(bits: Int32Array): Uint16Array {
  const n = bits.length;
  const out = new Uint16Array(n + (n & 1));
  const out32 = new Int32Array(out.buffer);
  const one = (x: number): number =>
    (x & 0x7f800000) === 0x7f800000 ? ((x & 0x7fffff) !== 0 ? (x >> 16) | 0x40 : x >> 16) : (x + 0x7fff + ((x >> 16) & 1)) >> 16;
  const pairs = n >> 1;
  for (let k = 0; k < pairs; k++) {
    const x = bits[2 * k];
    const y = bits[2 * k + 1];
    if ((x & 0x7f800000) === 0x7f800000 || (y & 0x7f800000) === 0x7f800000) {
      out[2 * k] = one(x);
      out[2 * k + 1] = one(y);
    } else {
      out32[k] = (((x + 0x7fff + ((x >> 16) & 1)) >>> 16) & 0xffff) | ((y + 0x7fff + ((y >> 16) & 1)) & 0xffff0000);
    }
  }
  if (n & 1) out[n - 1] = one(bits[n - 1]);
  return n & 1 ? out.subarray(0, n) : out;
}

/** A float32 tensor rounded through `dtype` and back (what writing as `dtype` then reading gives). */
export function roundThrough(values: Float32Array, dtype: FloatDtype): Float32Array {
  if (dtype === 'F32' || dtype === 'F64') return values.slice();
  return tensorToFloat32({ dtype, shape: [values.length], data: float32ToBytes(values, dtype) });
}
