// Safetensors header: an 8-byte little-endian length N, N bytes of JSON, then the data section.
// Every rule a reader relies on is checked here, before any tensor byte is touched.
import type { SafetensorsDtype } from '../types';
import { SafetensorsError } from '../errors';
import { DTYPE_SIZE, isDtype } from './dtypes';

/** Largest header accepted (the limit Hugging Face's reader uses). */
export const MAX_HEADER_BYTES = 100_000_000;

/** One tensor as the header describes it; `begin`/`end` are byte offsets into the data section. */
export interface SafetensorsTensorInfo {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  begin: number;
  end: number;
}

/** A validated header. */
export interface SafetensorsHeader {
  /** `__metadata__`, a string map (empty when absent). */
  metadata: Record<string, string>;
  /** Tensors in the order the header lists them. */
  tensors: SafetensorsTensorInfo[];
  /** Where the data section starts in the file (8 + header length). */
  dataOffset: number;
  /** Length of the data section in bytes. */
  dataLength: number;
}

/** Reads the header length from the first 8 bytes and checks it against the file size. */
export function readHeaderLength(prefix: Uint8Array, fileSize: number): number {
  if (fileSize < 8 || prefix.byteLength < 8) {
    throw new SafetensorsError(`file is ${fileSize} bytes, shorter than the 8-byte header length`);
  }
  const dv = new DataView(prefix.buffer, prefix.byteOffset, 8);
  const lo = dv.getUint32(0, true);
  const hi = dv.getUint32(4, true);
  const n = hi * 2 ** 32 + lo;
  if (n > MAX_HEADER_BYTES) {
    throw new SafetensorsError(`header length ${n} is over the ${MAX_HEADER_BYTES}-byte limit`);
  }
  if (8 + n > fileSize) {
    throw new SafetensorsError(`header length ${n} runs past the end of the ${fileSize}-byte file`);
  }
  return n;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Top-level keys in file order, and the first duplicate key at any depth (with the top-level key it sits in).
 * `text` must already be valid JSON.
 */
function scanKeys(text: string): { keys: string[]; duplicate?: { key: string; under?: string } } {
  const keys: string[] = [];
  const stack: (Set<string> | null)[] = [];
  let expectKey = false;
  let topKey: string | undefined;
  const len = text.length;
  for (let i = 0; i < len; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      let j = i + 1;
      let escaped = false;
      while (j < len) {
        const d = text.charCodeAt(j);
        if (d === 0x5c) {
          escaped = true;
          j += 2;
          continue;
        }
        if (d === 0x22) break;
        j++;
      }
      const top = stack[stack.length - 1];
      if (top && expectKey) {
        const raw = text.slice(i, j + 1);
        const key = escaped ? (JSON.parse(raw) as string) : raw.slice(1, -1);
        if (top.has(key)) return { keys, duplicate: { key, under: stack.length > 1 ? topKey : undefined } };
        top.add(key);
        if (stack.length === 1) {
          keys.push(key);
          topKey = key;
        }
        expectKey = false;
      }
      i = j;
    } else if (c === 0x7b /* { */) {
      stack.push(new Set());
      expectKey = true;
    } else if (c === 0x5b /* [ */) {
      stack.push(null);
      expectKey = false;
    } else if (c === 0x7d || c === 0x5d) {
      stack.pop();
      expectKey = false;
    } else if (c === 0x2c /* , */) {
      expectKey = stack[stack.length - 1] != null;
    }
  }
  return { keys };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses and validates header JSON bytes. `fileSize` is the size of the whole file. */
export function parseSafetensorsHeader(headerBytes: Uint8Array, fileSize: number): SafetensorsHeader {
  const dataOffset = 8 + headerBytes.byteLength;
  if (dataOffset > fileSize) {
    throw new SafetensorsError(`header length ${headerBytes.byteLength} runs past the end of the ${fileSize}-byte file`);
  }
  const dataLength = fileSize - dataOffset;
  let text: string;
  try {
    text = decoder.decode(headerBytes);
  } catch {
    throw new SafetensorsError('header is not valid UTF-8');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new SafetensorsError(`header is not valid JSON: ${(e as Error).message}`);
  }
  if (!isPlainObject(json)) throw new SafetensorsError('header JSON is not an object');
  const { keys, duplicate } = scanKeys(text);
  if (duplicate) {
    throw new SafetensorsError(
      duplicate.under === undefined ? 'duplicate key in header' : `duplicate field '${duplicate.key}'`,
      duplicate.under ?? duplicate.key,
    );
  }

  let metadata: Record<string, string> = {};
  const tensors: SafetensorsTensorInfo[] = [];
  for (const name of keys) {
    const entry = json[name];
    if (name === '__metadata__') {
      if (entry === null) continue;
      if (!isPlainObject(entry)) throw new SafetensorsError('__metadata__ is not an object of strings');
      for (const [k, v] of Object.entries(entry)) {
        if (typeof v !== 'string') throw new SafetensorsError(`__metadata__ value for '${k}' is not a string`);
      }
      metadata = { ...(entry as Record<string, string>) };
      continue;
    }
    tensors.push(validateEntry(name, entry, dataLength));
  }
  checkCoverage(tensors, dataLength);
  return { metadata, tensors, dataOffset, dataLength };
}

function validateEntry(name: string, entry: unknown, dataLength: number): SafetensorsTensorInfo {
  if (!isPlainObject(entry)) throw new SafetensorsError('entry is not an object', name);
  const { dtype, shape, data_offsets: offsets } = entry;
  if (!isDtype(dtype)) throw new SafetensorsError(`unknown dtype ${JSON.stringify(dtype) ?? 'undefined'}`, name);
  if (!Array.isArray(shape)) throw new SafetensorsError('shape is not an array', name);
  let n = 1;
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      throw new SafetensorsError(`shape has a negative or non-integer dim ${JSON.stringify(d)}`, name);
    }
    n *= d;
  }
  if (!Array.isArray(offsets) || offsets.length !== 2) {
    throw new SafetensorsError('data_offsets is not a [begin, end] pair', name);
  }
  const [begin, end] = offsets as unknown[];
  if (
    typeof begin !== 'number' ||
    typeof end !== 'number' ||
    !Number.isSafeInteger(begin) ||
    !Number.isSafeInteger(end) ||
    begin < 0 ||
    end < begin
  ) {
    throw new SafetensorsError(`data_offsets ${JSON.stringify(offsets)} are not integers with 0 <= begin <= end`, name);
  }
  const expected = n * DTYPE_SIZE[dtype];
  if (end - begin !== expected) {
    throw new SafetensorsError(`byte span ${end - begin} is not shape [${shape.join(', ')}] x ${DTYPE_SIZE[dtype]} bytes (${expected})`, name);
  }
  if (end > dataLength) {
    throw new SafetensorsError(`data_offsets [${begin}, ${end}] are out of range of the ${dataLength}-byte data section`, name);
  }
  return { name, dtype, shape: shape.slice() as number[], begin, end };
}

/** The tensors must tile the data section exactly: no overlap, no hole, nothing left over. */
function checkCoverage(tensors: SafetensorsTensorInfo[], dataLength: number): void {
  const sorted = tensors.slice().sort((a, b) => a.begin - b.begin || a.end - b.end);
  let pos = 0;
  for (const t of sorted) {
    if (t.begin < pos) throw new SafetensorsError(`overlaps the previous tensor (begins at ${t.begin}, before ${pos})`, t.name);
    if (t.begin > pos) throw new SafetensorsError(`hole in the data section: bytes ${pos}..${t.begin} belong to no tensor`, t.name);
    pos = t.end;
  }
  if (pos !== dataLength) {
    throw new SafetensorsError(`hole in the data section: bytes ${pos}..${dataLength} at its end belong to no tensor`);
  }
}
