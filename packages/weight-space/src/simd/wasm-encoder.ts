/**
 * The few pieces of the WebAssembly binary format the SIMD kernels need, so they ship as bytes generated at run
 * time (no compiler in the build, no .wasm asset for bundlers to place). One module: an imported memory and a list
 * of functions over i32 pointers. Opcodes are from the WebAssembly 2.0 core and fixed-width SIMD specs.
 */

export type ValueType = 'i32' | 'f32' | 'f64' | 'v128';
const typeCode: Record<ValueType, number> = { i32: 0x7f, f32: 0x7d, f64: 0x7c, v128: 0x7b };

export function unsignedLeb(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    const byte = v & 0x7f;
    v >>>= 7;
    out.push(v === 0 ? byte : byte | 0x80);
  } while (v !== 0);
  return out;
}

export function signedLeb(value: number): number[] {
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

const utf8 = (s: string): number[] => [...unsignedLeb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
const vector = (items: number[][]): number[] => [...unsignedLeb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...unsignedLeb(body.length), ...body];

/** One exported function: its parameters (all i32 here), extra locals, and its instruction bytes. */
export interface WasmFunction {
  name: string;
  params: ValueType[];
  locals: ValueType[];
  body: number[];
}

/** Largest size a shared memory may grow to, in 64 KiB pages (4 GiB, the 32-bit address space). */
export const SHARED_MEMORY_MAX_PAGES = 65536;

/**
 * A module importing `env.memory` and exporting `functions` by name. With `sharedMemory` it imports a shared memory
 * (threads proposal limits: flags 3, minimum 0, maximum {@link SHARED_MEMORY_MAX_PAGES}), which threads can share.
 */
export function encodeModule(functions: WasmFunction[], sharedMemory = false): Uint8Array<ArrayBuffer> {
  const types = functions.map((f) => [0x60, ...vector(f.params.map((t) => [typeCode[t]])), 0x00]);
  const limits = sharedMemory ? [0x03, 0x00, ...unsignedLeb(SHARED_MEMORY_MAX_PAGES)] : [0x00, 0x00];
  const memoryImport = [...utf8('env'), ...utf8('memory'), 0x02, ...limits];
  const code = functions.map((f) => {
    const locals = vector(f.locals.map((t) => [0x01, typeCode[t]]));
    const body = [...locals, ...f.body, 0x0b];
    return [...unsignedLeb(body.length), ...body];
  });
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vector(types)),
    ...section(2, vector([memoryImport])),
    ...section(3, vector(functions.map((_, i) => unsignedLeb(i)))),
    ...section(7, vector(functions.map((f, i) => [...utf8(f.name), 0x00, ...unsignedLeb(i)]))),
    ...section(10, vector(code)),
  ]);
}

/** Instruction bytes, named as in the spec's text format. */
export const op = {
  get: (i: number) => [0x20, ...unsignedLeb(i)],
  set: (i: number) => [0x21, ...unsignedLeb(i)],
  tee: (i: number) => [0x22, ...unsignedLeb(i)],
  i32: (v: number) => [0x41, ...signedLeb(v)],
  i32Add: [0x6a],
  i32Sub: [0x6b],
  i32Mul: [0x6c],
  i32Shl: [0x74],
  i32And: [0x71],
  i32LtU: [0x49],
  i32Eqz: [0x45],
  f32Load: (offset = 0) => [0x2a, 0x02, ...unsignedLeb(offset)],
  f32Store: (offset = 0) => [0x38, 0x02, ...unsignedLeb(offset)],
  f64Load: (offset = 0) => [0x2b, 0x03, ...unsignedLeb(offset)],
  f64Store: (offset = 0) => [0x39, 0x03, ...unsignedLeb(offset)],
  f64PromoteF32: [0xbb],
  f64Add: [0xa0],
  f64Sub: [0xa1],
  f64Mul: [0xa2],
  f64Div: [0xa3],
  f64Abs: [0x99],
  f64Sqrt: [0x9f],
  f64Copysign: [0xa6],
  f64Le: [0x65],
  f64Gt: [0x64],
  select: [0x1b],
  f64: (v: number) => [0x44, ...new Uint8Array(Float64Array.of(v).buffer)],
  v128Load: (offset = 0) => [0xfd, 0x00, 0x04, ...unsignedLeb(offset)],
  v128Store: (offset = 0) => [0xfd, 0x0b, 0x04, ...unsignedLeb(offset)],
  v128Load32Splat: (offset = 0) => [0xfd, 0x09, 0x02, ...unsignedLeb(offset)],
  v128Zero: [0xfd, 0x0c, ...new Array(16).fill(0)],
  v128Load64Zero: (offset = 0) => [0xfd, 0x5d, 0x03, ...unsignedLeb(offset)],
  f64x2PromoteLowF32x4: [0xfd, 0x5f],
  /** i8x16.shuffle of two vectors by 16 byte indices (0-15: the first, 16-31: the second). */
  i8x16Shuffle: (lanes: number[]) => [0xfd, 0x0d, ...lanes],
  f32x4Add: [0xfd, ...unsignedLeb(0xe4)],
  f32x4Mul: [0xfd, ...unsignedLeb(0xe6)],
  f64x2Add: [0xfd, ...unsignedLeb(0xf0)],
  f64x2Sub: [0xfd, ...unsignedLeb(0xf1)],
  f64x2Splat: [0xfd, 0x14],
  f64x2Mul: [0xfd, ...unsignedLeb(0xf2)],
  f64x2ExtractLane: (lane: number) => [0xfd, 0x21, lane],
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  if: [0x04, 0x40],
  else: [0x05],
  end: [0x0b],
  br: (depth: number) => [0x0c, ...unsignedLeb(depth)],
  brIf: (depth: number) => [0x0d, ...unsignedLeb(depth)],
};

/**
 * `for (i = from; i < limit; i += step) body` over i32 locals (limit read each round; a loop that runs zero times
 * is skipped). `step` is a constant.
 */
export function forLoop(i: number, from: number[], limit: number[], step: number, body: number[]): number[] {
  return [
    ...from, ...op.set(i),
    ...op.block,
    ...op.get(i), ...limit, ...op.i32LtU, ...op.i32Eqz, ...op.brIf(0),
    ...op.loop,
    ...body,
    ...op.get(i), ...op.i32(step), ...op.i32Add, ...op.tee(i),
    ...limit, ...op.i32LtU, ...op.brIf(0),
    ...op.end,
    ...op.end,
  ];
}
