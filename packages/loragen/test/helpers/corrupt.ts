import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseSafetensors, serializeSafetensors, type SafetensorsDtype } from '@loragen/lora-io';
import { readPeftAdapter, writePeftAdapter } from '@loragen/lora-io/node';
import { crc32 } from '../../src/checkpoint/crc32';

// Ways to spoil the files users hand to LoRAGen, for the tests of what it refuses.

/** Replaces one file of a checkpoint or model folder and its manifest entry: a consistent folder with other content. */
export function rewriteCheckpointFile(dir: string, name: string, content: string | Uint8Array): void {
  const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
  fs.writeFileSync(path.join(dir, name), bytes);
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  manifest.files[name] = { bytes: bytes.byteLength, crc32: crc32(bytes) };
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
}

/**
 * Puts `value` (NaN, Infinity) into the float32 tensor `tensor` (default: the first one) of a safetensors file's
 * bytes at flat `index`; returns the new bytes and the tensor's name.
 */
export function poisonSafetensors(bytes: Uint8Array, value: number, tensor?: string, index = 1): { bytes: Uint8Array; tensor: string } {
  const file = parseSafetensors(bytes);
  const entries: Record<string, { dtype: SafetensorsDtype; shape: number[]; data: Uint8Array }> = {};
  for (const [name, t] of file.tensors) entries[name] = { dtype: t.dtype, shape: t.shape, data: t.data.slice() };
  const name = tensor ?? [...file.tensors.keys()].find((n) => file.tensors.get(n)!.dtype === 'F32')!;
  new DataView(entries[name].data.buffer).setFloat32(index * 4, value, true);
  return { bytes: serializeSafetensors(entries, file.metadata), tensor: name };
}

/** Sets B[index] of module `moduleIndex` of the PEFT adapter in `dir` to `value`; returns the module's name. */
export async function poisonAdapter(dir: string, value: number, moduleIndex = 1, index = 3): Promise<string> {
  const adapter = await readPeftAdapter(dir);
  adapter.modules[moduleIndex].B[index] = value;
  await writePeftAdapter(dir, adapter);
  return adapter.modules[moduleIndex].name;
}

/**
 * Every path under `root` with its size and modification time (files) or a trailing slash (folders), sorted: two
 * equal snapshots mean nothing was created, removed or rewritten.
 */
export function snapshot(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        out.push(`${path.relative(root, p)}/`);
        walk(p);
      } else {
        const st = fs.statSync(p);
        out.push(`${path.relative(root, p)} ${st.size} ${st.mtimeMs}`);
      }
    }
  };
  walk(root);
  return out.sort();
}
