// Safetensors from bytes, an ArrayBuffer or a Blob (browser-safe).
import { SafetensorsError } from '../errors';
import type { SafetensorsTensor } from './convert';
import { parseSafetensorsHeader, readHeaderLength, type SafetensorsHeader } from './header';

/** A parsed safetensors file: its metadata and its tensors in header order (data are views, not copies). */
export interface SafetensorsFile {
  metadata: Record<string, string>;
  tensors: Map<string, SafetensorsTensor>;
}

function asBytes(input: Uint8Array | ArrayBufferLike | ArrayBufferView): Uint8Array {
  if (input instanceof Uint8Array) return input;
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  if (input instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && input instanceof SharedArrayBuffer)) {
    return new Uint8Array(input);
  }
  throw new SafetensorsError('input is not a Uint8Array, ArrayBuffer or typed array');
}

/** Reads and validates only the header of a whole file held in memory. */
export function parseSafetensorsHeaderFromBytes(input: Uint8Array | ArrayBufferLike | ArrayBufferView): SafetensorsHeader {
  const bytes = asBytes(input);
  const n = readHeaderLength(bytes, bytes.byteLength);
  return parseSafetensorsHeader(bytes.subarray(8, 8 + n), bytes.byteLength);
}

/** Attaches the tensors of `header` to `data`, the file's data section. */
export function tensorsFromDataSection(header: SafetensorsHeader, data: Uint8Array): SafetensorsFile {
  if (data.byteLength !== header.dataLength) {
    throw new SafetensorsError(`data section is ${data.byteLength} bytes, the header describes ${header.dataLength}`);
  }
  const tensors = new Map<string, SafetensorsTensor>();
  for (const t of header.tensors) {
    tensors.set(t.name, { dtype: t.dtype, shape: t.shape, data: data.subarray(t.begin, t.end) });
  }
  return { metadata: header.metadata, tensors };
}

/** Parses a whole safetensors file. Tensor data are zero-copy views of `input`. */
export function parseSafetensors(input: Uint8Array | ArrayBufferLike | ArrayBufferView): SafetensorsFile {
  const bytes = asBytes(input);
  const header = parseSafetensorsHeaderFromBytes(bytes);
  return tensorsFromDataSection(header, bytes.subarray(header.dataOffset));
}

/** Parses a safetensors Blob (or File): the header first, then the data section as one slice. */
export async function parseSafetensorsBlob(blob: Blob): Promise<SafetensorsFile> {
  const size = blob.size;
  const prefix = new Uint8Array(await blob.slice(0, 8).arrayBuffer());
  const n = readHeaderLength(prefix, size);
  const header = parseSafetensorsHeader(new Uint8Array(await blob.slice(8, 8 + n).arrayBuffer()), size);
  const data = new Uint8Array(await blob.slice(header.dataOffset, size).arrayBuffer());
  return tensorsFromDataSection(header, data);
}
