import type { LoraAdapter } from '@loragen/lora-io';
import { answerSequences, type SequenceAnswer } from '@loragen/example-demo/browser';
import type { DemoAssets, ShippedTask } from './demo-assets';

/** What the try-it panel computed: the typed digits and each model's answer (the test reads it). */
export interface TryItResult {
  sequence: number[];
  base: SequenceAnswer;
  generated: SequenceAnswer;
  /** The exact answer of the task picked in the accuracy panel (1 yes, 0 no). */
  truth: { task: string; label: number };
}

const word = (label: number) => (label === 1 ? 'yes' : 'no');

/** The base model with and without the generated adapter on one sequence (parsed with `parseSequence`), side by side. */
export async function runTryIt(
  table: HTMLTableElement,
  assets: DemoAssets,
  sequence: number[],
  adapter: LoraAdapter,
  task: ShippedTask,
): Promise<TryItResult> {
  const [[base], [generated]] = await Promise.all([
    answerSequences(assets.base, assets.config, [sequence], null),
    answerSequences(assets.base, assets.config, [sequence], adapter),
  ]);
  const truth = { task: task.task.id, label: task.task.operation.answer(sequence, task.task.arg) ? 1 : 0 };
  const cell = (a: SequenceAnswer) => `<td class="answer">${word(a.label)}</td><td class="num">${a.probabilities[a.label].toFixed(4)}</td>`;
  table.innerHTML =
    '<tr><th>model</th><th>answer</th><th>probability</th></tr>' +
    `<tr data-model="base"><td>base model</td>${cell(base)}</tr>` +
    `<tr data-model="generated"><td>base + generated adapter</td>${cell(generated)}</tr>` +
    `<tr class="truth"><td>exact answer for ${truth.task}</td><td class="answer">${word(truth.label)}</td><td></td></tr>`;
  return { sequence, base, generated, truth };
}
