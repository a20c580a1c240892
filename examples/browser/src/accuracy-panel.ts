import type { LoraAdapter } from '@loragen/lora-io';
import { digitsTestExamples, EvaluationHarness } from '@loragen/example-demo/browser';
import type { DemoAssets, ShippedTask } from './demo-assets';

/** Test examples per task and their seed: those of `npm run demo`. */
export const TEST_COUNT = 512;
export const TEST_SEED = 1;

/** Accuracies (percent) on a task's test split (the test reads it). */
export interface AccuracyResult {
  task: string;
  heldOut: boolean;
  base: number;
  generated: number;
  taskLora: number;
}

/** The task list: library tasks first, then the ones LoRAGen never trained on. */
export function fillTaskList(select: HTMLSelectElement, tasks: readonly ShippedTask[]): void {
  select.replaceChildren();
  for (const [label, heldOut] of [
    ['in LoRAGen\u2019s library', false],
    ['held out (never seen by LoRAGen)', true],
  ] as const) {
    const group = document.createElement('optgroup');
    group.label = label;
    for (const t of tasks.filter((x) => x.heldOut === heldOut)) group.append(new Option(`${t.task.id}: ${t.task.descriptions[0]}`, t.task.id));
    select.append(group);
  }
}

/** Measures base, generated and task LoRA on `task`'s test split with the demo's evaluation harness. */
export class AccuracyPanel {
  private readonly harness: EvaluationHarness<ShippedTask['task']>;
  /** Accuracies that do not depend on the generated adapter, by task id. */
  private readonly fixed = new Map<string, { base: number; taskLora: number }>();

  constructor(
    private readonly table: HTMLTableElement,
    private readonly assets: DemoAssets,
  ) {
    this.harness = new EvaluationHarness(assets.base, assets.config, { examples: digitsTestExamples, seed: TEST_SEED, count: TEST_COUNT });
  }

  async measure(shipped: ShippedTask, adapter: LoraAdapter, generatedFor: string): Promise<AccuracyResult> {
    const { task, heldOut } = shipped;
    if (!this.fixed.has(task.id)) {
      const base = await this.harness.accuracy(task, null);
      this.fixed.set(task.id, { base, taskLora: await this.harness.accuracy(task, await this.assets.taskLora(task.id)) });
    }
    const { base, taskLora } = this.fixed.get(task.id)!;
    const generated = await this.harness.accuracy(task, adapter);
    const row = (name: string, value: number) => `<tr><td>${name}</td><td class="num">${value.toFixed(1)}%</td></tr>`;
    this.table.innerHTML =
      `<caption>${task.id} (${heldOut ? 'held out of LoRAGen\u2019s training' : 'in LoRAGen\u2019s library'}): ${TEST_COUNT} test examples, chance 50%</caption>` +
      '<tr><th>adapter</th><th>accuracy</th></tr>' +
      row('base model', base) +
      row('generated adapter', generated) +
      row(`the task\u2019s own LoRA (${task.id})`, taskLora);
    const note = document.createElement('tr');
    const cell = document.createElement('td');
    cell.colSpan = 2;
    cell.className = 'note';
    cell.textContent = `generated for: \u201c${generatedFor}\u201d`;
    note.append(cell);
    this.table.append(note);
    return { task: task.id, heldOut, base, generated, taskLora };
  }
}
