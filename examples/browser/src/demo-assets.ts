import { parsePeftAdapter, type LoraAdapter } from '@loragen/lora-io';
import { baseModelFromBytes, taskById, type BaseModelConfig, type Task, type WeightTable } from '@loragen/example-demo/browser';

/** One task whose LoRA ships with the app, and whether LoRAGen's training library held it out. */
export interface ShippedTask {
  task: Task;
  heldOut: boolean;
  /** The wording `npm run demo` uses for it: a held-out wording of a library task, a training one of an unseen task. */
  description: string;
}

/** The demo files the app evaluates with (public/demo, written by `npm run browser-assets -w @loragen/example-demo`). */
export interface DemoAssets {
  base: WeightTable;
  config: BaseModelConfig;
  tasks: ShippedTask[];
  /** The task's own LoRA from the demo's library. */
  taskLora(id: string): Promise<LoraAdapter>;
  /** How the files were checked (sha256 against index.json, or why not). */
  verified: string;
}

interface Index {
  tasks: Array<{ id: string; heldOut: boolean }>;
  files: Record<string, string>;
}

const hex = (buffer: ArrayBuffer): string => [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, '0')).join('');

/** Fetches public/demo/index.json and the base model; task LoRAs come on demand. Every file is checked against its sha256. */
export async function loadDemoAssets(base: string): Promise<DemoAssets> {
  const url = (rel: string) => new URL(`demo/${rel}`, base);
  const fetchBytes = async (rel: string): Promise<Uint8Array> => {
    const res = await fetch(url(rel));
    if (!res.ok) throw new Error(`could not fetch demo/${rel}: HTTP ${res.status} (run npm run browser-assets -w @loragen/example-demo)`);
    return new Uint8Array(await res.arrayBuffer());
  };
  const index = JSON.parse(new TextDecoder().decode(await fetchBytes('index.json'))) as Index;
  // crypto.subtle exists only in secure contexts (localhost, https); elsewhere the page says the files went unchecked.
  const subtle = globalThis.crypto?.subtle;
  const checked = async (rel: string): Promise<Uint8Array> => {
    const bytes = await fetchBytes(rel);
    const expected = index.files[rel];
    if (!expected) throw new Error(`demo/${rel} is not listed in demo/index.json`);
    if (subtle) {
      const actual = hex(await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
      if (actual !== expected) throw new Error(`demo/${rel}: sha256 ${actual} is not index.json's ${expected}; run npm run browser-assets again`);
    }
    return bytes;
  };
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  const { weights, config } = baseModelFromBytes(text(await checked('base-model/config.json')), await checked('base-model/model.safetensors'));
  const loras = new Map<string, Promise<LoraAdapter>>();
  const taskLora = (id: string): Promise<LoraAdapter> => {
    if (!index.tasks.some((t) => t.id === id)) return Promise.reject(new Error(`no LoRA of task '${id}' ships with the app`));
    if (!loras.has(id)) {
      loras.set(
        id,
        Promise.all([checked(`library/${id}/adapter_config.json`), checked(`library/${id}/adapter_model.safetensors`)]).then(([c, w]) =>
          parsePeftAdapter(text(c), w),
        ),
      );
    }
    return loras.get(id)!;
  };
  const tasks = index.tasks.map(({ id, heldOut }) => {
    const task = taskById(id);
    return { task, heldOut, description: heldOut ? task.descriptions[0] : task.heldOutDescriptions[0] };
  });
  return {
    base: weights,
    config,
    tasks,
    taskLora,
    verified: subtle ? 'sha256-checked' : 'not checked (crypto.subtle needs localhost or https)',
  };
}
