import type { GenerationConfidence } from '@loragen/core';

const fixed = (x: number) => x.toFixed(3);

/** The signals behind the score, each with what it measures (see @loragen/core's confidence.ts). */
function signalRows(c: GenerationConfidence): Array<[string, string, string]> {
  return [
    ['retrieval', fixed(c.retrieval), 'how clearly the description names its nearest library task (1: clearly)'],
    ['fidelity', c.fidelity === null ? 'not recorded' : fixed(c.fidelity), "how well the model reproduces that task's LoRA (measured at fit)"],
    ['agreement', fixed(c.agreement), "mean cosine between the samples' updates ΔW"],
    ['novelty', fixed(c.novelty), '1 − cosine to the nearest library task'],
  ];
}

/** Fills the confidence panel: the score, its signals, and the 3 nearest library tasks with their similarities. */
export function renderConfidence(root: HTMLElement, c: GenerationConfidence): void {
  root.querySelector<HTMLElement>('#confidence-score')!.textContent =
    `${fixed(c.score)}` + (c.fidelity === null ? ' (retrieval alone: this model was saved without fidelity)' : ' (retrieval × fidelity)');
  root.querySelector<HTMLTableElement>('#confidence-signals')!.innerHTML =
    '<tr><th>signal</th><th>value</th><th>what it measures</th></tr>' +
    signalRows(c)
      .map(([name, value, what]) => `<tr data-signal="${name}"><td>${name}</td><td class="num">${value}</td><td>${what}</td></tr>`)
      .join('');
  root.querySelector<HTMLTableElement>('#confidence-nearest')!.innerHTML =
    '<tr><th>task</th><th>similarity</th></tr>' +
    c.nearestTasks.map((t) => `<tr><td>${t.task}</td><td class="num">${fixed(t.similarity)}</td></tr>`).join('');
  root.hidden = false;
}
