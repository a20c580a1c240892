import { serializePeftAdapter, type LoraAdapter } from '@loragen/lora-io';
import type { LoraGen } from '@loragen/core';
import { renderModules } from './adapter-view';
import { chooseBackend } from './backend';
import { loadModel } from './model';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const progress = $<HTMLProgressElement>('progress');
const status = $<HTMLParagraphElement>('status');
const button = $<HTMLButtonElement>('generate');
const params = new URLSearchParams(location.search);

/** What the end-to-end test reads besides the downloads. */
declare global {
  interface Window {
    loragenState?: { phase: 'loading' | 'ready' | 'generating' | 'done' | 'error'; backend?: string; error?: string; ms?: number };
  }
}
window.loragenState = { phase: 'loading' };

function setProgress(fraction: number, text: string): void {
  progress.value = fraction;
  status.textContent = text;
}

function offerDownload(id: string, bytes: Uint8Array | string, type: string): void {
  const link = $<HTMLAnchorElement>(id);
  if (link.href.startsWith('blob:')) URL.revokeObjectURL(link.href);
  link.href = URL.createObjectURL(new Blob([bytes as BlobPart], { type }));
}

async function generate(model: LoraGen): Promise<void> {
  const description = $<HTMLTextAreaElement>('description').value.trim();
  const seed = Number($<HTMLInputElement>('seed').value);
  const steps = Number($<HTMLInputElement>('steps').value);
  button.disabled = true;
  window.loragenState = { ...window.loragenState, phase: 'generating' };
  const started = performance.now();
  const adapter = (await model.generate(description, {
    seed,
    steps,
    onProgress: (p) => setProgress(p.step / p.totalSteps, `Sampling… step ${p.step} of ${p.totalSteps}`),
  })) as LoraAdapter;
  const ms = performance.now() - started;
  const files = serializePeftAdapter(adapter);
  offerDownload('download-weights', files.safetensors, 'application/octet-stream');
  offerDownload('download-config', files.config, 'application/json');
  renderModules($<HTMLTableElement>('modules'), adapter);
  $('result').hidden = false;
  setProgress(1, `Generated ${adapter.modules.length} LoRA modules in ${(ms / 1000).toFixed(2)} s.`);
  window.loragenState = { ...window.loragenState, phase: 'done', ms };
  button.disabled = false;
}

async function start(): Promise<void> {
  const backend = await chooseBackend(params.get('backend'));
  $('backend').textContent =
    `Backend: ${backend.name}` + (backend.fallbackReason ? ` (WebGPU unavailable: ${backend.fallbackReason})` : '');
  const model = await loadModel(document.baseURI, (n, total) => setProgress(n / total, `Loading model… ${n}/${total} files`));
  $<HTMLTextAreaElement>('description').value = params.get('description') ?? 'Say whether the sequence contains the symbol b.';
  setProgress(0, 'Ready: describe a task and press Generate.');
  button.disabled = false;
  window.loragenState = { phase: 'ready', backend: backend.name };
  $<HTMLFormElement>('form').addEventListener('submit', (event) => {
    event.preventDefault();
    generate(model).catch(fail);
  });
}

function fail(err: unknown): void {
  const message = err instanceof Error ? err.message : String(err);
  status.textContent = `Error: ${message}`;
  window.loragenState = { ...window.loragenState, phase: 'error', error: message };
  button.disabled = false;
}

start().catch(fail);
