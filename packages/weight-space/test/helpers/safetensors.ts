// A minimal safetensors reader for the F64/F32 fixtures (the test may not import @loragen/lora-io).
import { readFileSync } from 'node:fs';

export interface HostTensor {
  shape: number[];
  data: Float64Array;
}

export function readSafetensors(file: string): Map<string, HostTensor> {
  const bytes = readFileSync(file);
  const headerLength = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8')) as Record<
    string,
    { dtype: string; shape: number[]; data_offsets: [number, number] }
  >;
  const base = 8 + headerLength;
  const out = new Map<string, HostTensor>();
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const [start, end] = info.data_offsets;
    const raw = bytes.subarray(base + start, base + end);
    const copy = new Uint8Array(raw).buffer;
    let data: Float64Array;
    if (info.dtype === 'F64') data = new Float64Array(copy);
    else if (info.dtype === 'F32') data = Float64Array.from(new Float32Array(copy));
    else throw new Error(`test reader: unsupported dtype ${info.dtype} for ${name}`);
    out.set(name, { shape: info.shape, data });
  }
  return out;
}
