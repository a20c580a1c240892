import type { LoraAdapter } from '@loragen/lora-io';

/** |scaling * B A|_F without forming B A: sqrt(sum((B^T B) .* (A A^T))) * scaling. */
function deltaNorm(m: LoraAdapter['modules'][number]): number {
  const { rank: r, dIn, dOut, A, B } = m;
  let sum = 0;
  for (let i = 0; i < r; i++) {
    for (let j = 0; j < r; j++) {
      let bb = 0;
      for (let o = 0; o < dOut; o++) bb += B[o * r + i] * B[o * r + j];
      let aa = 0;
      for (let k = 0; k < dIn; k++) aa += A[i * dIn + k] * A[j * dIn + k];
      sum += bb * aa;
    }
  }
  return Math.abs(m.scaling) * Math.sqrt(Math.max(sum, 0));
}

export function renderModules(table: HTMLTableElement, adapter: LoraAdapter): void {
  const head = '<tr><th>module</th><th>rank</th><th>shape</th><th>|ΔW|<sub>F</sub></th></tr>';
  const rows = adapter.modules.map(
    (m) =>
      `<tr><td>${m.name.replace(/^base_model\.model\./, '')}</td><td>${m.rank}</td>` +
      `<td>${m.dOut}×${m.dIn}</td><td>${deltaNorm(m).toFixed(4)}</td></tr>`,
  );
  table.innerHTML = head + rows.join('');
}
