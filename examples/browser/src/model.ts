import { LoraGen } from '@loragen/core';

const FILES = ['config.json', 'weights.safetensors', 'manifest.json'] as const;

/** Fetches the demo's trained checkpoint from the app's own assets (public/model). */
export async function loadModel(base: string, onBytes: (loaded: number, total: number) => void): Promise<LoraGen> {
  const files: Record<string, Uint8Array> = {};
  let loaded = 0;
  for (const name of FILES) {
    const res = await fetch(new URL(`model/${name}`, base));
    if (!res.ok) throw new Error(`could not fetch model/${name}: HTTP ${res.status}`);
    files[name] = new Uint8Array(await res.arrayBuffer());
    loaded++;
    onBytes(loaded, FILES.length);
  }
  return LoraGen.fromFiles(files, 'model/');
}
