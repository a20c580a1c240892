import { readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { seededUniform, tempFolder } from '@loragen/test-utils';
import {
  DTYPE_SIZE,
  MAX_HEADER_BYTES,
  SafetensorsError,
  float32ToBytes,
  parseSafetensors,
  parseSafetensorsBlob,
  parseSafetensorsHeaderFromBytes,
  readSafetensorsFile,
  readSafetensorsFileAsFloat32,
  readSafetensorsHeader,
  roundThrough,
  serializeSafetensors,
  tensorToFloat32,
  writeSafetensorsFile,
  type SafetensorsDtype,
  type SafetensorsInput,
} from '@loragen/lora-io/node';
import { f32Bytes, rawSafetensors } from './helpers/bytes';

const T = (dtype: string, shape: number[], offsets: [number, number]) => ({ dtype, shape, data_offsets: offsets });

function expectError(bytes: Uint8Array, message: RegExp, tensor?: string): void {
  let err: unknown;
  try {
    parseSafetensors(bytes);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(SafetensorsError);
  expect((err as Error).message).toMatch(message);
  if (tensor !== undefined) expect((err as SafetensorsError).tensor).toBe(tensor);
}

describe('writer', () => {
  test('8-byte aligned header padded with spaces, sorted keys, metadata first, little-endian data', () => {
    const bytes = serializeSafetensors(
      { b: { dtype: 'F32', shape: [2], data: f32Bytes([1, -2]) }, a: { dtype: 'I16', shape: [1], data: new Int16Array([-3]) } },
      { z: '1', format: 'pt' },
    );
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + n) % 8).toBe(0);
    const text = Buffer.from(bytes.subarray(8, 8 + n)).toString('utf8');
    expect(text).toMatch(/^\{"__metadata__":\{"format":"pt","z":"1"\},"a":\{.*\},"b":\{.*\}\} *$/);
    // F32 (4-byte) data first, then I16: every tensor starts at a multiple of its element size.
    expect(JSON.parse(text).b.data_offsets).toEqual([0, 8]);
    expect(JSON.parse(text).a.data_offsets).toEqual([8, 10]);
    expect(Array.from(bytes.subarray(8 + n, 8 + n + 4))).toEqual([0, 0, 0x80, 0x3f]);
  });

  test('the same tensors in any insertion order give identical bytes', () => {
    const t1 = { dtype: 'F32' as const, shape: [1], data: f32Bytes([1]) };
    const t2 = { dtype: 'F16' as const, shape: [2], data: new Uint16Array([1, 2]) };
    expect(serializeSafetensors({ x: t1, y: t2 })).toEqual(serializeSafetensors({ y: t2, x: t1 }));
  });

  test('every dtype round-trips through bytes, with shapes including 0-d and empty tensors', () => {
    const tensors: Record<string, SafetensorsInput> = {};
    const dtypes: SafetensorsDtype[] = ['F64', 'F32', 'F16', 'BF16', 'I64', 'I32', 'I16', 'I8', 'U8', 'BOOL'];
    for (const [i, dtype] of dtypes.entries()) {
      const n = 6;
      const data = new Uint8Array(n * DTYPE_SIZE[dtype]).map((_, k) => (k * 37 + i) & (dtype === 'BOOL' ? 1 : 0xff));
      tensors[`t_${dtype}`] = { dtype, shape: [2, 3], data };
    }
    tensors.scalar = { dtype: 'F32', shape: [], data: f32Bytes([7]) };
    tensors.empty = { dtype: 'F32', shape: [0, 5], data: new Uint8Array(0) };
    const parsed = parseSafetensors(serializeSafetensors(tensors));
    expect([...parsed.tensors.keys()].sort()).toEqual(Object.keys(tensors).sort());
    for (const [name, t] of Object.entries(tensors)) {
      const got = parsed.tensors.get(name)!;
      expect(got.dtype).toBe(t.dtype);
      expect(got.shape).toEqual(t.shape);
      expect(Buffer.from(got.data).equals(Buffer.from(t.data as Uint8Array))).toBe(true);
    }
    expect(tensorToFloat32(parsed.tensors.get('scalar')!)).toEqual(Float32Array.from([7]));
  });

  test('refuses bad input with SafetensorsError', () => {
    expect(() => serializeSafetensors({ x: { dtype: 'F32', shape: [3], data: f32Bytes([1]) } })).toThrow(SafetensorsError);
    expect(() => serializeSafetensors({ x: { dtype: 'F8_E4M3', shape: [1], data: new Uint8Array(1) } })).toThrow(/cannot write/);
    expect(() => serializeSafetensors({ __metadata__: { dtype: 'U8', shape: [1], data: new Uint8Array(1) } })).toThrow(/reserved/);
    expect(() => serializeSafetensors({ x: { dtype: 'U8', shape: [-1], data: new Uint8Array(0) } })).toThrow(/negative/);
  });
});

describe('reader', () => {
  test('tensors are zero-copy views; F32 converts without a copy when aligned', () => {
    const bytes = serializeSafetensors({ w: { dtype: 'F32', shape: [2, 2], data: f32Bytes([1, 2, 3, 4]) } });
    const file = parseSafetensors(bytes);
    const t = file.tensors.get('w')!;
    expect(t.data.buffer).toBe(bytes.buffer);
    const values = tensorToFloat32(t);
    expect(values.buffer).toBe(bytes.buffer);
    expect(Array.from(values)).toEqual([1, 2, 3, 4]);
    expect(tensorToFloat32(t, { copy: true }).buffer).not.toBe(bytes.buffer);
    // An unaligned F32 view is copied, not misread.
    const shifted = new Uint8Array(bytes.byteLength + 1);
    shifted.set(bytes, 1);
    expect(Array.from(tensorToFloat32(parseSafetensors(shifted.subarray(1)).tensors.get('w')!))).toEqual([1, 2, 3, 4]);
  });

  test('accepts ArrayBuffer, typed arrays and Blob', async () => {
    const bytes = serializeSafetensors({ w: { dtype: 'F32', shape: [1], data: f32Bytes([5]) } }, { a: 'b' });
    const ab = bytes.buffer.slice(0);
    expect(parseSafetensors(ab).metadata).toEqual({ a: 'b' });
    const blob = await parseSafetensorsBlob(new Blob([bytes]));
    expect(blob.metadata).toEqual({ a: 'b' });
    expect(Array.from(tensorToFloat32(blob.tensors.get('w')!))).toEqual([5]);
    await expect(parseSafetensorsBlob(new Blob([bytes.subarray(0, 5)]))).rejects.toThrow(SafetensorsError);
  });

  test('keeps the header key order, including integer-like names', () => {
    const entry = (o: [number, number]) => `{"dtype":"U8","shape":[${o[1] - o[0]}],"data_offsets":[${o[0]},${o[1]}]}`;
    const bytes = rawSafetensors(`{"b":${entry([0, 1])},"2":${entry([1, 2])},"a":${entry([2, 2])}}`, new Uint8Array(2));
    expect([...parseSafetensors(bytes).tensors.keys()]).toEqual(['b', '2', 'a']);
  });

  test('F16, BF16 and F8 conversions', () => {
    const f16 = parseSafetensors(
      rawSafetensors({ h: T('F16', [5], [0, 10]) }, new Uint8Array(new Uint16Array([0x3c00, 0xc000, 0x0001, 0x7c00, 0x7e00]).buffer)),
    );
    const h = tensorToFloat32(f16.tensors.get('h')!);
    expect(Array.from(h.subarray(0, 4))).toEqual([1, -2, 2 ** -24, Infinity]);
    expect(Number.isNaN(h[4])).toBe(true);
    const bf = parseSafetensors(rawSafetensors({ b: T('BF16', [2], [0, 4]) }, new Uint8Array(new Uint16Array([0x3f80, 0xc049]).buffer)));
    expect(Array.from(tensorToFloat32(bf.tensors.get('b')!))).toEqual([1, Math.fround(-3.140625)]);
    const f8 = parseSafetensors(
      rawSafetensors(
        { a: T('F8_E4M3', [4], [0, 4]), b: T('F8_E5M2', [4], [4, 8]) },
        new Uint8Array([0x38, 0xb8, 0x7e, 0x01, 0x3c, 0xbc, 0x7b, 0x7c]),
      ),
    );
    expect(Array.from(tensorToFloat32(f8.tensors.get('a')!))).toEqual([1, -1, 448, 2 ** -9]);
    expect(Array.from(tensorToFloat32(f8.tensors.get('b')!))).toEqual([1, -1, 57344, Infinity]);
  });

  test('every half value survives half -> float32 -> half exactly', () => {
    const all = new Uint16Array(65536).map((_, i) => i);
    const asFloat = tensorToFloat32({ dtype: 'F16', shape: [65536], data: new Uint8Array(all.buffer) });
    const back = new Uint16Array(float32ToBytes(asFloat, 'F16').buffer);
    for (let i = 0; i < 65536; i++) {
      const isNaN = (i & 0x7c00) === 0x7c00 && (i & 0x3ff) !== 0;
      if (isNaN) expect((back[i] & 0x7c00) === 0x7c00 && (back[i] & 0x3ff) !== 0).toBe(true);
      else if (back[i] !== i) throw new Error(`half 0x${i.toString(16)} came back as 0x${back[i].toString(16)}`);
    }
  });

  test('the fast BF16 encoder agrees with the scalar rounding on every upper half and the critical lower halves', () => {
    const lows = [0, 1, 0x7fff, 0x8000, 0x8001, 0xffff];
    const n = 65536 * lows.length + 1; // odd, to cover the last unpaired element
    const bits = new Uint32Array(n);
    for (let h = 0; h < 65536; h++) lows.forEach((l, j) => (bits[h * lows.length + j] = ((h << 16) | l) >>> 0));
    bits[n - 1] = 0x3f808000;
    const got = new Uint16Array(float32ToBytes(new Float32Array(bits.buffer), 'BF16').slice().buffer);
    expect(got.length).toBe(n);
    for (let i = 0; i < n; i++) {
      const x = bits[i];
      const isNaN = (x & 0x7f800000) === 0x7f800000 && (x & 0x7fffff) !== 0;
      const want = isNaN ? ((x >>> 16) | 0x40) & 0xffff : (((x + 0x7fff + ((x >>> 16) & 1)) >>> 0) / 65536) & 0xffff;
      if (got[i] !== want) throw new Error(`bf16 of 0x${x.toString(16)}: got 0x${got[i].toString(16)}, want 0x${want.toString(16)}`);
    }
  });

  test('float32 -> F16 / BF16 rounds to nearest, ties to even, overflow to infinity', () => {
    const f16 = (x: number) => new Uint16Array(float32ToBytes(Float32Array.from([x]), 'F16').buffer)[0];
    expect(f16(1 + 2 ** -11)).toBe(0x3c00); // tie, to even
    expect(f16(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie, to even (up)
    expect(f16(1 + 2 ** -11 + 2 ** -20)).toBe(0x3c01);
    expect(f16(65520)).toBe(0x7c00);
    expect(f16(65519)).toBe(0x7bff);
    expect(f16(2 ** -25)).toBe(0); // tie between 0 and the smallest subnormal
    expect(f16(2 ** -25 + 2 ** -35)).toBe(1);
    expect(f16(-0)).toBe(0x8000);
    expect(f16(3 * 2 ** -25)).toBe(2); // 1.5 subnormal units, to even
    const bf = (x: number) => new Uint16Array(float32ToBytes(Float32Array.from([x]), 'BF16').buffer)[0];
    expect(bf(1 + 2 ** -8)).toBe(0x3f80);
    expect(bf(1 + 3 * 2 ** -8)).toBe(0x3f82);
    expect(bf(1 + 2 ** -8 + 2 ** -20)).toBe(0x3f81);
    expect(bf(3.4028234663852886e38)).toBe(0x7f80);
    expect(Number.isNaN(roundThrough(Float32Array.from([NaN]), 'BF16')[0])).toBe(true);
    // A slow reference for random values: the nearest representable value (ties to even mantissa).
    const rnd = seededUniform(7);
    for (let k = 0; k < 20000; k++) {
      const x = Math.fround((rnd() - 0.5) * 2 ** Math.floor(rnd() * 40 - 20));
      const got = roundThrough(Float32Array.from([x]), 'BF16')[0];
      const bits = new Uint32Array(Float32Array.from([x]).buffer)[0];
      const lo = new Float32Array(new Uint32Array([bits & 0xffff0000]).buffer)[0];
      const hi = new Float32Array(new Uint32Array([(bits & 0xffff0000) + 0x10000]).buffer)[0];
      const dl = Math.abs(x - lo),
        dh = Math.abs(hi - x);
      const want = dl < dh ? lo : dh < dl ? hi : (bits >>> 16) & 1 ? hi : lo;
      if (got !== want) throw new Error(`bf16(${x}) = ${got}, want ${want}`);
    }
  });
});

describe('validation names the tensor and the problem', () => {
  test('file shorter than 8 bytes', () => expectError(new Uint8Array(3), /shorter than the 8-byte/));
  test('header length over 100 MB', () => {
    const b = new Uint8Array(16);
    new DataView(b.buffer).setUint32(0, MAX_HEADER_BYTES + 1, true);
    expectError(b, /over the 100000000-byte limit/);
    new DataView(b.buffer).setUint32(4, 1, true);
    expectError(b, /over the/);
  });
  test('header length past the end of the file', () => {
    const b = rawSafetensors({});
    new DataView(b.buffer).setUint32(0, 1000, true);
    expectError(b, /runs past the end/);
  });
  test('bad JSON / not an object / bad UTF-8', () => {
    expectError(rawSafetensors('{"a": '), /not valid JSON/);
    expectError(rawSafetensors('[1,2]'), /not an object/);
    const b = rawSafetensors('{"\u00e9":1}');
    b[10] = 0xff;
    expectError(b, /UTF-8/);
  });
  test('unknown dtype', () => expectError(rawSafetensors({ w: T('F128', [1], [0, 16]) }, new Uint8Array(16)), /unknown dtype "F128"/, 'w'));
  test('byte span not equal to shape x dtype size', () =>
    expectError(rawSafetensors({ w: T('F32', [2, 2], [0, 12]) }, new Uint8Array(12)), /byte span 12 is not shape \[2, 2\] x 4 bytes \(16\)/, 'w'));
  test('offsets out of range', () => expectError(rawSafetensors({ w: T('U8', [8], [0, 8]) }, new Uint8Array(4)), /out of range/, 'w'));
  test('offsets reversed or non-integer', () => {
    expectError(rawSafetensors({ w: T('U8', [0], [4, 2]) }, new Uint8Array(4)), /data_offsets/, 'w');
    expectError(rawSafetensors({ w: { dtype: 'U8', shape: [1], data_offsets: [0.5, 1.5] } }, new Uint8Array(2)), /data_offsets/, 'w');
    expectError(rawSafetensors({ w: { dtype: 'U8', shape: [1] } }, new Uint8Array(1)), /data_offsets/, 'w');
  });
  test('overlapping tensors', () =>
    expectError(rawSafetensors({ a: T('U8', [4], [0, 4]), b: T('U8', [4], [2, 6]) }, new Uint8Array(6)), /overlaps/, 'b'));
  test('holes in the data section, inside and at the end', () => {
    expectError(rawSafetensors({ a: T('U8', [2], [0, 2]), b: T('U8', [2], [4, 6]) }, new Uint8Array(6)), /hole/, 'b');
    expectError(rawSafetensors({ a: T('U8', [2], [0, 2]) }, new Uint8Array(3)), /hole.*at its end/);
  });
  test('negative or non-integer dims', () => {
    expectError(rawSafetensors({ w: T('U8', [-1], [0, 0]) }), /negative or non-integer dim -1/, 'w');
    expectError(rawSafetensors({ w: T('U8', [1.5], [0, 0]) }), /non-integer dim 1.5/, 'w');
    expectError(rawSafetensors({ w: { dtype: 'U8', shape: ['2'], data_offsets: [0, 2] } }, new Uint8Array(2)), /non-integer dim "2"/, 'w');
    expectError(rawSafetensors({ w: { dtype: 'U8', shape: 2, data_offsets: [0, 2] } }, new Uint8Array(2)), /shape is not an array/, 'w');
  });
  test('huge claimed shapes are rejected before anything is allocated', () =>
    expectError(rawSafetensors({ w: T('F32', [2 ** 26, 2 ** 26], [0, 4]) }, new Uint8Array(4)), /byte span/, 'w'));
  test('duplicate keys, at the top level and inside an entry', () => {
    expectError(
      rawSafetensors('{"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}', new Uint8Array(1)),
      /duplicate key/,
      'w',
    );
    expectError(
      rawSafetensors('{"w":{"dtype":"U8","dtype":"U8","shape":[1],"data_offsets":[0,1]}}', new Uint8Array(1)),
      /duplicate field 'dtype'/,
      'w',
    );
    expectError(
      rawSafetensors(
        '{"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"\\u0077":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}',
        new Uint8Array(1),
      ),
      /duplicate/,
      'w',
    );
  });
  test('metadata must be a string map', () => {
    expectError(rawSafetensors({ __metadata__: { a: 1 } }), /__metadata__ value for 'a'/);
    expectError(rawSafetensors({ __metadata__: [] }), /__metadata__ is not an object/);
    expect(parseSafetensors(rawSafetensors({ __metadata__: null })).metadata).toEqual({});
  });
  test('entry not an object', () => expectError(rawSafetensors({ w: 5 }), /entry is not an object/, 'w'));
});

describe('files', () => {
  const dir = tempFolder('lora-io-st-');

  test('write atomically, read all, read some by range, read as float32', async () => {
    const path = join(dir(), 'x.safetensors');
    const a = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i));
    const b = Float32Array.from({ length: 300 }, (_, i) => Math.cos(i) * 100);
    await writeSafetensorsFile(
      path,
      {
        a: { dtype: 'F32', shape: [10, 100], data: a },
        b16: { dtype: 'BF16', shape: [300], data: float32ToBytes(b, 'BF16') },
        h: { dtype: 'F16', shape: [300], data: float32ToBytes(b, 'F16') },
        i: { dtype: 'I32', shape: [3], data: new Int32Array([1, -2, 3]) },
      },
      { k: 'v' },
    );
    expect(readdirSync(dir())).toEqual(['x.safetensors']); // no temporary file left behind
    const whole = await readSafetensorsFile(path);
    expect(parseSafetensors(readFileSync(path)).metadata).toEqual({ k: 'v' });
    expect(whole.metadata).toEqual({ k: 'v' });
    expect(tensorToFloat32(whole.tensors.get('a')!)).toEqual(a);
    const some = await readSafetensorsFile(path, { tensors: ['i'] });
    expect([...some.tensors.keys()]).toEqual(['i']);
    expect(Array.from(tensorToFloat32(some.tensors.get('i')!))).toEqual([1, -2, 3]);
    await expect(readSafetensorsFile(path, { tensors: ['nope'] })).rejects.toThrow(SafetensorsError);
    const f = await readSafetensorsFileAsFloat32(path);
    expect(f.tensors.get('a')!.values).toEqual(a);
    expect(f.tensors.get('b16')!.values).toEqual(roundThrough(b, 'BF16'));
    expect(f.tensors.get('h')!.values).toEqual(roundThrough(b, 'F16'));
    expect(Array.from(f.tensors.get('i')!.values)).toEqual([1, -2, 3]);
    const header = await readSafetensorsHeader(path);
    expect(header.tensors.map((t) => t.name)).toEqual(['a', 'b16', 'h', 'i']);
  });

  test('BF16 / F16 widening stays correct across read chunks', async () => {
    const n = (16 << 20) / 2 + 12345; // more than one 16 MiB chunk of 16-bit input
    const src = new Uint16Array(n);
    for (let i = 0; i < n; i++) src[i] = (i * 2654435761) >>> 16;
    const path = join(dir(), 'big.safetensors');
    await writeSafetensorsFile(path, { x: { dtype: 'BF16', shape: [n], data: src }, y: { dtype: 'F16', shape: [n], data: src } });
    const f = await readSafetensorsFileAsFloat32(path);
    const xb = new Uint32Array(f.tensors.get('x')!.values.buffer);
    const y = f.tensors.get('y')!.values;
    const viaTable = tensorToFloat32({ dtype: 'F16', shape: [n], data: new Uint8Array(src.buffer) });
    for (let i = 0; i < n; i++) {
      if (xb[i] !== (src[i] << 16) >>> 0) throw new Error(`BF16 element ${i}`);
      if (!Object.is(y[i], viaTable[i]) && !(Number.isNaN(y[i]) && Number.isNaN(viaTable[i]))) throw new Error(`F16 element ${i}`);
    }
  });

  test('a truncated file is refused by header checks, before reading data', async () => {
    const path = join(dir(), 'trunc.safetensors');
    const bytes = serializeSafetensors({ a: { dtype: 'F32', shape: [4], data: f32Bytes([1, 2, 3, 4]) } });
    writeFileSync(path, bytes.subarray(0, bytes.byteLength - 4));
    await expect(readSafetensorsFile(path)).rejects.toThrow(/out of range/);
    writeFileSync(path, bytes.subarray(0, 5));
    await expect(readSafetensorsHeader(path)).rejects.toThrow(/shorter than the 8-byte/);
  });

  test('parseSafetensorsHeaderFromBytes looks at the header only', () => {
    const bytes = serializeSafetensors({ a: { dtype: 'U8', shape: [2], data: new Uint8Array([1, 2]) } });
    expect(parseSafetensorsHeaderFromBytes(bytes).tensors).toEqual([{ name: 'a', dtype: 'U8', shape: [2], begin: 0, end: 2 }]);
  });
});
