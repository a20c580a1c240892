// Safetensors writer: 8-byte aligned header padded with spaces, keys in a stable (sorted) order, data ordered
// by element size so every tensor starts at a multiple of its own element size.
import type { SafetensorsDtype } from '../types';
import { SafetensorsError } from '../errors';
import { DTYPE_SIZE, WRITABLE_DTYPES } from './dtypes';
import { numel } from './convert';

/** A tensor to write: `data` holds its little-endian bytes (any typed array is taken byte for byte). */
export interface SafetensorsInput {
  dtype: SafetensorsDtype;
  shape: readonly number[];
  data: Uint8Array | ArrayBufferView;
}

/** The pieces of a file to write: the header (with its length prefix) then each tensor's bytes, in order. */
export interface SafetensorsPlan {
  header: Uint8Array;
  parts: Uint8Array[];
  byteLength: number;
}

const encoder = new TextEncoder();

function byteView(data: Uint8Array | ArrayBufferView): Uint8Array {
  return data instanceof Uint8Array ? data : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** Lays out a safetensors file without copying tensor bytes. */
export function planSafetensors(
  tensors: Map<string, SafetensorsInput> | Record<string, SafetensorsInput>,
  metadata?: Record<string, string>,
): SafetensorsPlan {
  const entries = tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors);
  const checked = entries.map(([name, t]) => {
    if (name === '__metadata__') throw new SafetensorsError("'__metadata__' is reserved and cannot name a tensor");
    if (!WRITABLE_DTYPES.includes(t.dtype)) throw new SafetensorsError(`cannot write dtype ${String(t.dtype)}`, name);
    for (const d of t.shape) {
      if (!Number.isSafeInteger(d) || d < 0) throw new SafetensorsError(`shape has a negative or non-integer dim ${d}`, name);
    }
    const data = byteView(t.data);
    const need = numel(t.shape) * DTYPE_SIZE[t.dtype];
    if (data.byteLength !== need) {
      throw new SafetensorsError(`data has ${data.byteLength} bytes, shape [${t.shape.join(', ')}] x ${t.dtype} needs ${need}`, name);
    }
    return { name, dtype: t.dtype, shape: t.shape, data };
  });
  const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  const dataOrder = checked.slice().sort((a, b) => DTYPE_SIZE[b.dtype] - DTYPE_SIZE[a.dtype] || byName(a, b));
  const offsets = new Map<string, [number, number]>();
  let pos = 0;
  for (const t of dataOrder) {
    offsets.set(t.name, [pos, pos + t.data.byteLength]);
    pos += t.data.byteLength;
  }
  const fields: string[] = [];
  if (metadata && Object.keys(metadata).length > 0) {
    const meta = Object.keys(metadata)
      .sort()
      .map((k) => {
        if (typeof metadata[k] !== 'string') throw new SafetensorsError(`__metadata__ value for '${k}' is not a string`);
        return `${JSON.stringify(k)}:${JSON.stringify(metadata[k])}`;
      });
    fields.push(`"__metadata__":{${meta.join(',')}}`);
  }
  for (const t of checked.slice().sort(byName)) {
    const [b, e] = offsets.get(t.name)!;
    fields.push(`${JSON.stringify(t.name)}:{"dtype":"${t.dtype}","shape":[${t.shape.join(',')}],"data_offsets":[${b},${e}]}`);
  }
  const json = encoder.encode(`{${fields.join(',')}}`);
  const padded = Math.ceil(json.byteLength / 8) * 8;
  const header = new Uint8Array(8 + padded).fill(0x20, 8 + json.byteLength);
  const dv = new DataView(header.buffer);
  dv.setUint32(0, padded % 2 ** 32, true);
  dv.setUint32(4, Math.floor(padded / 2 ** 32), true);
  header.set(json, 8);
  return { header, parts: dataOrder.map((t) => t.data), byteLength: header.byteLength + pos };
}

/** Serializes tensors (and optional `__metadata__`) into one safetensors file. */
export function serializeSafetensors(
  tensors: Map<string, SafetensorsInput> | Record<string, SafetensorsInput>,
  metadata?: Record<string, string>,
): Uint8Array<ArrayBuffer> {
  return assembleSafetensors(planSafetensors(tensors, metadata));
}

/** The file bytes of `plan` in one buffer (header, then the tensors' data in plan order). */
export function assembleSafetensors(plan: SafetensorsPlan): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(plan.byteLength);
  out.set(plan.header, 0);
  let pos = plan.header.byteLength;
  for (const p of plan.parts) {
    out.set(p, pos);
    pos += p.byteLength;
  }
  return out;
}
