import { serializePeftAdapter, type LoraAdapter } from '@loragen/lora-io';
import { parseSequence } from '@loragen/example-demo/browser';
import type { GenerationConfidence, LoraGen } from '@loragen/core';
import { AccuracyPanel, fillTaskList, type AccuracyResult } from './accuracy-panel';
import { renderModules } from './adapter-view';
import { chooseBackend } from './backend';
import { renderConfidence } from './confidence-view';
import { loadDemoAssets, type DemoAssets, type ShippedTask } from './demo-assets';
import { loadModel } from './model';
import { runTryIt, type TryItResult } from './try-it';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const progress = $<HTMLProgressElement>('progress');
const status = $<HTMLParagraphElement>('status');
const button = $<HTMLButtonElement>('generate');
const taskSelect = $<HTMLSelectElement>('accuracy-task');
const params = new URLSearchParams(location.search);

type Phase = 'loading' | 'ready' | 'generating' | 'evaluating' | 'done' | 'error';

/** What the end-to-end test reads besides the downloads. */
declare global {
  interface Window {
    loragenState?: { phase: Phase; backend?: string; error?: string; ms?: number };
    /** Full-precision values behind the panels; `runs` counts finished panel updates. */
    loragenResults?: { runs: number; description?: string; confidence?: GenerationConfidence; tryIt?: TryItResult; accuracy?: AccuracyResult };
  }
}
window.loragenState = { phase: 'loading' };
window.loragenResults = { runs: 0 };

function setProgress(fraction: number, text: string): void {
  progress.value = fraction;
  status.textContent = text;
}

function setPhase(phase: Phase, extra: Partial<NonNullable<Window['loragenState']>> = {}): void {
  window.loragenState = { ...window.loragenState, ...extra, phase };
}

function offerDownload(id: string, bytes: Uint8Array | string, type: string): void {
  const link = $<HTMLAnchorElement>(id);
  if (link.href.startsWith('blob:')) URL.revokeObjectURL(link.href);
  link.href = URL.createObjectURL(new Blob([bytes as BlobPart], { type }));
}

/** The app once loaded: the generator, the demo's base model and tasks, and the latest generated adapter. */
class App {
  private adapter: { adapter: LoraAdapter; description: string } | null = null;
  private readonly accuracy: AccuracyPanel;

  constructor(
    private readonly model: LoraGen,
    private readonly assets: DemoAssets,
  ) {
    this.accuracy = new AccuracyPanel($<HTMLTableElement>('accuracy-table'), assets);
  }

  private selectedTask(): ShippedTask {
    return this.assets.tasks.find((t) => t.task.id === taskSelect.value) ?? this.assets.tasks[0];
  }

  async generate(): Promise<void> {
    const description = $<HTMLTextAreaElement>('description').value.trim();
    const seed = Number($<HTMLInputElement>('seed').value);
    const steps = Number($<HTMLInputElement>('steps').value);
    const samples = Number($<HTMLInputElement>('samples').value);
    button.disabled = true;
    setPhase('generating');
    const started = performance.now();
    const generation = await this.model.generate(description, {
      seed,
      steps,
      samples,
      onProgress: (p) => setProgress(p.step / p.totalSteps, `Sampling ${samples} adapters… step ${p.step} of ${p.totalSteps}`),
    });
    const ms = performance.now() - started;
    const { adapter, confidence } = generation;
    const files = serializePeftAdapter(adapter);
    offerDownload('download-weights', files.safetensors, 'application/octet-stream');
    offerDownload('download-config', files.config, 'application/json');
    renderModules($<HTMLTableElement>('modules'), adapter);
    $('result').hidden = false;
    renderConfidence($('confidence'), confidence);
    this.adapter = { adapter, description };
    window.loragenResults = { ...window.loragenResults!, description, confidence };
    setProgress(1, `Generated ${samples} samples in ${(ms / 1000).toFixed(2)} s; kept sample ${generation.selected + 1}. Evaluating…`);
    setPhase('evaluating', { ms });
    await this.tryIt();
    await this.measure();
    setProgress(
      1,
      `Generated ${samples} samples in ${(ms / 1000).toFixed(2)} s; kept sample ${generation.selected + 1} (${adapter.modules.length} LoRA modules).`,
    );
    setPhase('done');
    button.disabled = false;
  }

  async tryIt(): Promise<void> {
    if (!this.adapter) return;
    $('try').hidden = false;
    const problem = $('try-problem');
    let sequence: number[];
    try {
      sequence = parseSequence($<HTMLInputElement>('sequence').value);
    } catch (err) {
      // a typing slip, said beside the box: the other panels stay as they are
      problem.textContent = (err as Error).message;
      problem.hidden = false;
      return;
    }
    problem.hidden = true;
    const result = await runTryIt($<HTMLTableElement>('try-answers'), this.assets, sequence, this.adapter.adapter, this.selectedTask());
    window.loragenResults = { ...window.loragenResults!, tryIt: result, runs: window.loragenResults!.runs + 1 };
  }

  async measure(): Promise<void> {
    if (!this.adapter) return;
    const result = await this.accuracy.measure(this.selectedTask(), this.adapter.adapter, this.adapter.description);
    $('accuracy').hidden = false;
    window.loragenResults = { ...window.loragenResults!, accuracy: result, runs: window.loragenResults!.runs + 1 };
  }

  /** Runs one panel's update, with the phase the test waits on. */
  async rerun(what: () => Promise<void>): Promise<void> {
    setPhase('evaluating');
    await what();
    setPhase('done');
  }
}

async function start(): Promise<void> {
  const backend = await chooseBackend(params.get('backend'));
  const [model, assets] = await Promise.all([
    loadModel(document.baseURI, (n, total) => setProgress(n / total, `Loading model… ${n}/${total} files`)),
    loadDemoAssets(document.baseURI),
  ]);
  $('backend').textContent =
    `Backend: ${backend.name}` +
    (backend.fallbackReason ? ` (WebGPU unavailable: ${backend.fallbackReason})` : '') +
    `. Demo base model and ${assets.tasks.length} task LoRAs: ${assets.verified}.`;
  fillTaskList(taskSelect, assets.tasks);
  const first = assets.tasks.find((t) => t.task.id === params.get('task')) ?? assets.tasks[0];
  taskSelect.value = first.task.id;
  $<HTMLTextAreaElement>('description').value = params.get('description') ?? first.description;
  const app = new App(model, assets);
  setProgress(0, 'Ready: describe a task and press Generate.');
  button.disabled = false;
  window.loragenState = { phase: 'ready', backend: backend.name };
  $<HTMLFormElement>('form').addEventListener('submit', (event) => {
    event.preventDefault();
    app.generate().catch(fail);
  });
  $<HTMLFormElement>('try-form').addEventListener('submit', (event) => {
    event.preventDefault();
    app.rerun(() => app.tryIt()).catch(fail);
  });
  taskSelect.addEventListener('change', () => {
    app
      .rerun(async () => {
        await app.measure();
        await app.tryIt();
      })
      .catch(fail);
  });
  $('accuracy-describe').addEventListener('click', () => {
    $<HTMLTextAreaElement>('description').value = assets.tasks.find((t) => t.task.id === taskSelect.value)!.description;
  });
}

function fail(err: unknown): void {
  const message = err instanceof Error ? err.message : String(err);
  status.textContent = `Error: ${message}`;
  setPhase('error', { error: message });
  button.disabled = false;
}

start().catch(fail);
