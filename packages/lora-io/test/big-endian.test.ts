// tensorToFloat32 as a big-endian host runs it: the host's byte order is mocked, so every multi-byte dtype goes
// through the DataView readers instead of typed-array views.
import { tensorToFloat32, type SafetensorsDtype } from '@loragen/lora-io';

jest.mock('../src/safetensors/dtypes', () => ({ ...jest.requireActual('../src/safetensors/dtypes'), LITTLE_ENDIAN: false }));

const VALUES = [1, -2, 0.5, 3.25, 0, -96];

/** `VALUES` as little-endian bytes of `dtype`, written with DataView (exact for every dtype here). */
function littleEndian(dtype: SafetensorsDtype, size: number, write: (dv: DataView, at: number, v: number) => void) {
  const data = new Uint8Array(VALUES.length * size);
  const dv = new DataView(data.buffer);
  VALUES.forEach((v, i) => write(dv, i * size, v));
  return { dtype, shape: [VALUES.length], data };
}

const f32Bits = (v: number) => new Uint32Array(Float32Array.of(v).buffer)[0];
const HALF: Record<number, number> = { 1: 0x3c00, [-2]: 0xc000, 0.5: 0x3800, 3.25: 0x4280, 0: 0, [-96]: 0xd600 };

test.each([
  littleEndian('F32', 4, (dv, at, v) => dv.setFloat32(at, v, true)),
  littleEndian('F64', 8, (dv, at, v) => dv.setFloat64(at, v, true)),
  littleEndian('F16', 2, (dv, at, v) => dv.setUint16(at, HALF[v], true)),
  littleEndian('BF16', 2, (dv, at, v) => dv.setUint16(at, f32Bits(v) >>> 16, true)),
  littleEndian('I64', 8, (dv, at, v) => dv.setBigInt64(at, BigInt(Math.trunc(v)), true)),
  littleEndian('I32', 4, (dv, at, v) => dv.setInt32(at, Math.trunc(v), true)),
  littleEndian('I16', 2, (dv, at, v) => dv.setInt16(at, Math.trunc(v), true)),
])('$dtype reads through DataView', (tensor) => {
  const integer = tensor.dtype.startsWith('I');
  expect(Array.from(tensorToFloat32(tensor))).toEqual(VALUES.map((v) => (integer ? Math.trunc(v) : v)));
});

test('single-byte dtypes need no byte order', () => {
  expect(Array.from(tensorToFloat32({ dtype: 'I8', shape: [2], data: Uint8Array.of(0xff, 7) }))).toEqual([-1, 7]);
  expect(Array.from(tensorToFloat32({ dtype: 'U8', shape: [2], data: Uint8Array.of(0xff, 7) }))).toEqual([255, 7]);
});
