// The older `adapter_model.bin`: a PyTorch zip archive (torch >= 1.6) holding `data.pkl` and one stored entry per
// storage. Read with the restricted unpickler; tensors come out as safetensors-style (dtype, shape, bytes).
import { AdapterFormatError } from '../errors';
import { DTYPE_SIZE } from '../safetensors/dtypes';
import type { SafetensorsTensor } from '../safetensors/convert';
import { readZipEntries } from './zip';
import { StorageRef, unpickleStateDict, type TensorRef } from './unpickle';

/** Reads a PyTorch zip-format state dict of tensors. Never runs code from the file. */
export function readTorchStateDict(bytes: Uint8Array): Map<string, SafetensorsTensor> {
  if (bytes.byteLength >= 2 && bytes[0] === 0x80 && bytes[1] <= 5) {
    throw new AdapterFormatError(
      'adapter_model.bin uses the legacy (pre-zip, torch < 1.6) format, which is not supported; ' +
        're-save it with a recent torch or convert it to safetensors',
    );
  }
  const entries = readZipEntries(bytes);
  const pkls = [...entries.keys()].filter((n) => n === 'data.pkl' || n.endsWith('/data.pkl'));
  if (pkls.length !== 1) {
    throw new AdapterFormatError(`adapter_model.bin: expected one data.pkl in the archive, found ${pkls.length}`);
  }
  const prefix = pkls[0].slice(0, -'data.pkl'.length);
  const byteorder = entries.get(`${prefix}byteorder`);
  if (byteorder && new TextDecoder().decode(byteorder).trim() !== 'little') {
    throw new AdapterFormatError('adapter_model.bin was saved big-endian, which is not supported');
  }
  const storages = new Map<string, Uint8Array>();
  const refs = unpickleStateDict(entries.get(pkls[0])!, (key, dtype, count) => {
    const data = entries.get(`${prefix}data/${key}`);
    if (!data) throw new AdapterFormatError(`adapter_model.bin: storage '${key}' is missing from the archive`);
    if (count * DTYPE_SIZE[dtype] > data.byteLength) {
      throw new AdapterFormatError(`adapter_model.bin: storage '${key}' is shorter than its ${count} ${dtype} elements`);
    }
    storages.set(key, data);
    return new StorageRef(key, dtype, count);
  });
  const out = new Map<string, SafetensorsTensor>();
  for (const [name, ref] of refs) out.set(name, materialize(name, ref, storages.get(ref.storage.key)!));
  return out;
}

function materialize(name: string, ref: TensorRef, storage: Uint8Array): SafetensorsTensor {
  const { dtype, numel: storageNumel } = ref.storage;
  const size = DTYPE_SIZE[dtype];
  let n = 1;
  for (const d of ref.shape) n *= d;
  const bad = (what: string): never => {
    throw new AdapterFormatError(`adapter_model.bin: tensor '${name}' ${what}`);
  };
  if (n > storageNumel) bad(`has ${n} elements, more than its storage holds (${storageNumel})`);
  if (n > 0) {
    let last = ref.offset;
    for (let i = 0; i < ref.shape.length; i++) last += (ref.shape[i] - 1) * ref.stride[i];
    if (last >= storageNumel) bad('reaches past the end of its storage');
  }
  // Contiguous (row-major) views are sliced without copying; other strides are gathered.
  let contiguous = true;
  let expect = 1;
  for (let i = ref.shape.length - 1; i >= 0; i--) {
    if (ref.shape[i] !== 1 && ref.stride[i] !== expect) contiguous = false;
    expect *= ref.shape[i];
  }
  if (contiguous || n === 0) {
    const begin = ref.offset * size;
    return { dtype, shape: ref.shape.slice(), data: storage.subarray(begin, begin + n * size) };
  }
  const out = new Uint8Array(n * size);
  const rank = ref.shape.length;
  const idx = new Array<number>(rank).fill(0);
  for (let k = 0; k < n; k++) {
    let src = ref.offset;
    for (let i = 0; i < rank; i++) src += idx[i] * ref.stride[i];
    out.set(storage.subarray(src * size, src * size + size), k * size);
    for (let i = rank - 1; i >= 0; i--) {
      if (++idx[i] < ref.shape[i]) break;
      idx[i] = 0;
    }
  }
  return { dtype, shape: ref.shape.slice(), data: out };
}
