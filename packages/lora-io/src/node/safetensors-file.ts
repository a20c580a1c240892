// Safetensors files on disk: the header is read and validated first, then tensor bytes by range.
import { open, type FileHandle } from 'node:fs/promises';
import type { SafetensorsDtype } from '../types';
import { SafetensorsError, locatedErrors } from '../errors';
import { halfTable } from '../safetensors/dtypes';
import { numel, tensorToFloat32, type SafetensorsTensor } from '../safetensors/convert';
import { parseSafetensorsHeader, readHeaderLength, type SafetensorsHeader, type SafetensorsTensorInfo } from '../safetensors/header';
import { tensorsFromDataSection, type SafetensorsFile } from '../safetensors/parse';
import { planSafetensors, type SafetensorsInput } from '../safetensors/serialize';
import { writeFileAtomic, type AtomicWriteOptions } from './atomic';

const MAX_READ = 1 << 30;

async function readExactly(fh: FileHandle, into: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < into.byteLength) {
    const len = Math.min(MAX_READ, into.byteLength - done);
    const { bytesRead } = await fh.read(into, done, len, position + done);
    if (bytesRead === 0) throw new SafetensorsError(`file ended early (changed while being read?) at byte ${position + done}`);
    done += bytesRead;
  }
}

async function headerOf(fh: FileHandle): Promise<SafetensorsHeader> {
  const { size } = await fh.stat();
  const prefix = new Uint8Array(8);
  if (size >= 8) await readExactly(fh, prefix, 0);
  const n = readHeaderLength(prefix, size);
  const headerBytes = new Uint8Array(n);
  await readExactly(fh, headerBytes, 8);
  return parseSafetensorsHeader(headerBytes, size);
}

/** Reads and validates only the header of a safetensors file (8 + N bytes are read, nothing else). */
export async function readSafetensorsHeader(path: string): Promise<SafetensorsHeader> {
  const fh = await open(path, 'r');
  try {
    return await locatedErrors(path, () => headerOf(fh));
  } finally {
    await fh.close();
  }
}

/** Options of `readSafetensorsFile`. */
export interface ReadSafetensorsFileOptions {
  /** Read only these tensors (by range); an unknown name is a `SafetensorsError`. Default: all. */
  tensors?: readonly string[];
}

/**
 * Reads a safetensors file: header first, then the data section in one read (or, with `tensors`, only the
 * ranges of those tensors). Tensor data are views of one buffer.
 */
export async function readSafetensorsFile(path: string, opts: ReadSafetensorsFileOptions = {}): Promise<SafetensorsFile> {
  const fh = await open(path, 'r');
  try {
    return await locatedErrors(path, () => readOpenFile(fh, opts));
  } finally {
    await fh.close();
  }
}

async function readOpenFile(fh: FileHandle, opts: ReadSafetensorsFileOptions): Promise<SafetensorsFile> {
  const header = await headerOf(fh);
  if (!opts.tensors) {
    const data = new Uint8Array(header.dataLength);
    await readExactly(fh, data, header.dataOffset);
    return tensorsFromDataSection(header, data);
  }
  const infos = pick(header, opts.tensors);
  const tensors = new Map<string, SafetensorsTensor>();
  for (const t of infos) {
    const data = new Uint8Array(t.end - t.begin);
    await readExactly(fh, data, header.dataOffset + t.begin);
    tensors.set(t.name, { dtype: t.dtype, shape: t.shape, data });
  }
  return { metadata: header.metadata, tensors };
}

function pick(header: SafetensorsHeader, names?: readonly string[]): SafetensorsTensorInfo[] {
  if (!names) return header.tensors;
  const byName = new Map(header.tensors.map((t) => [t.name, t]));
  return names.map((n) => {
    const t = byName.get(n);
    if (!t) throw new SafetensorsError('no such tensor in the file', n);
    return t;
  });
}

const CHUNK_BYTES = 16 << 20;

/**
 * Reads tensors of a safetensors file straight into Float32Arrays. F32 data are read into their final arrays
 * with no conversion pass; F16 and BF16 are read into the upper half of the output and widened in place while
 * the next chunk is being read; other dtypes go through `tensorToFloat32`.
 */
export async function readSafetensorsFileAsFloat32(
  path: string,
  opts: ReadSafetensorsFileOptions = {},
): Promise<{ metadata: Record<string, string>; tensors: Map<string, { shape: number[]; dtype: SafetensorsDtype; values: Float32Array }> }> {
  const fh = await open(path, 'r');
  try {
    return await locatedErrors(path, () => readOpenFileAsFloat32(fh, opts));
  } finally {
    await fh.close();
  }
}

async function readOpenFileAsFloat32(
  fh: FileHandle,
  opts: ReadSafetensorsFileOptions,
): Promise<{ metadata: Record<string, string>; tensors: Map<string, { shape: number[]; dtype: SafetensorsDtype; values: Float32Array }> }> {
  const header = await headerOf(fh);
  const out = new Map<string, { shape: number[]; dtype: SafetensorsDtype; values: Float32Array }>();
  for (const t of pick(header, opts.tensors)) {
    const n = numel(t.shape);
    const at = header.dataOffset + t.begin;
    let values: Float32Array;
    if (t.dtype === 'F32') {
      values = new Float32Array(n);
      await readExactly(fh, new Uint8Array(values.buffer), at);
    } else if (t.dtype === 'BF16' || t.dtype === 'F16') {
      values = await readWidened(fh, at, n, t.dtype);
    } else {
      const data = new Uint8Array(t.end - t.begin);
      await readExactly(fh, data, at);
      values = tensorToFloat32({ dtype: t.dtype, shape: t.shape, data });
    }
    out.set(t.name, { shape: t.shape, dtype: t.dtype, values });
  }
  return { metadata: header.metadata, tensors: out };
}

async function readWidened(fh: FileHandle, position: number, n: number, dtype: 'BF16' | 'F16'): Promise<Float32Array> {
  const buf = new ArrayBuffer(n * 4);
  const tailBytes = new Uint8Array(buf, n * 2); // the 16-bit input is read into the upper half of the output
  const chunk = CHUNK_BYTES / 2; // elements per chunk (even)
  const readChunk = (s: number) => {
    const e = Math.min(n, s + chunk);
    return readExactly(fh, tailBytes.subarray(s * 2, e * 2), position + s * 2);
  };
  let pending = n > 0 ? readChunk(0) : undefined;
  for (let s = 0; s < n; s += chunk) {
    await pending;
    const e = Math.min(n, s + chunk);
    // Widening chunk [s, e) writes bytes [4s, 4e), all below the next chunk's input at 2n + 2e, so the next read
    // can run while this chunk is converted.
    pending = e < n ? readChunk(e) : undefined;
    if (dtype === 'BF16') widenBf16(buf, n, s, e);
    else widenF16(buf, n, s, e);
  }
  return new Float32Array(buf);
}

/** In place: elements [s, e) of the BF16 input at bytes 2n.. become float32 at bytes 4s..4e. */
function widenBf16(buf: ArrayBuffer, n: number, s: number, e: number): void {
  const out = new Uint32Array(buf);
  if (n % 2 === 0) {
    // Two BF16 values per 32-bit load: the low half is element 2k, the high half element 2k + 1.
    const in32 = new Uint32Array(buf);
    const half = n / 2;
    for (let k = s / 2, end = e >> 1; k < end; k++) {
      const x = in32[half + k];
      out[2 * k] = x << 16;
      out[2 * k + 1] = x & 0xffff0000;
    }
    if (e % 2) out[e - 1] = new Uint16Array(buf)[n + e - 1] << 16;
    return;
  }
  const in16 = new Uint16Array(buf);
  for (let i = s; i < e; i++) out[i] = in16[n + i] << 16;
}

function widenF16(buf: ArrayBuffer, n: number, s: number, e: number): void {
  const out = new Float32Array(buf);
  const in16 = new Uint16Array(buf);
  const table = halfTable();
  for (let i = s; i < e; i++) out[i] = table[in16[n + i]];
}

/**
 * Writes tensors as a safetensors file, atomically (temporary file in the same folder, then rename). Tensor
 * bytes are written from their own memory, without building the whole file in memory first.
 */
export async function writeSafetensorsFile(
  path: string,
  tensors: Map<string, SafetensorsInput> | Record<string, SafetensorsInput>,
  metadata?: Record<string, string>,
  opts: AtomicWriteOptions = {},
): Promise<void> {
  const plan = planSafetensors(tensors, metadata);
  await writeFileAtomic(path, [plan.header, ...plan.parts], opts);
}
