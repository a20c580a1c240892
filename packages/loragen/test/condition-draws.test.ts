// Stage 2's training conditions (config `diffusion.conditioning` and `taskMeanShare`).
import { resolveConfig } from '../src';
import { drawConditionRows } from '../src/training/condition-draws';
import { trainingRng } from '../src/training/training-rng';

// Three tasks in two dimensions: task means (t, 0), description rows (t, 1 + j) for the task's j-th description.
const data = {
  condDim: 2,
  conditions: Float32Array.from([0, 0, 1, 0, 2, 0]),
  descriptionOffsets: [0, 2, 5, 6],
  descriptionConditions: Float32Array.from([0, 1, 0, 2, 1, 1, 1, 2, 1, 3, 2, 1]),
};
const idx = Array.from({ length: 3000 }, (_, i) => i % 3);
const rowsOf = (out: Float32Array) => idx.map((_, i) => [out[2 * i], out[2 * i + 1]]);

it("'task-mean' gives each task its mean and draws nothing", () => {
  const rng = trainingRng(1);
  const before = rng.getState();
  const rows = rowsOf(drawConditionRows(data, idx, { conditioning: 'task-mean', taskMeanShare: 0.5 }, rng));
  expect(rows.every(([t, d], i) => t === idx[i] && d === 0)).toBe(true);
  expect(rng.getState()).toEqual(before);
});

it("'one-description' draws each of a task's descriptions, never its mean", () => {
  const rows = rowsOf(drawConditionRows(data, idx, { conditioning: 'one-description', taskMeanShare: 0.5 }, trainingRng(2)));
  expect(rows.every(([t], i) => t === idx[i])).toBe(true);
  const seen = new Set(rows.map(([t, d]) => `${t}:${d}`));
  expect([...seen].sort()).toEqual(['0:1', '0:2', '1:1', '1:2', '1:3', '2:1']);
});

it.each([0, 0.25, 0.5, 0.8, 1])("'mixed' conditions a share %p of the latents on their task mean", (share) => {
  const rows = rowsOf(drawConditionRows(data, idx, { conditioning: 'mixed', taskMeanShare: share }, trainingRng(3)));
  expect(rows.every(([t], i) => t === idx[i])).toBe(true);
  const means = rows.filter(([, d]) => d === 0).length / rows.length;
  // 3000 draws: the binomial standard deviation is at most 0.0092, so 0.03 is more than 3 of them
  expect(Math.abs(means - share)).toBeLessThan(0.03);
  if (share === 0 || share === 1) expect(means).toBe(share);
});

it('is fixed by the generator state', () => {
  const cfg = { conditioning: 'mixed', taskMeanShare: 0.3 } as const;
  expect(drawConditionRows(data, idx, cfg, trainingRng(4))).toEqual(drawConditionRows(data, idx, cfg, trainingRng(4)));
});

it('defaults to even odds and is validated', () => {
  expect(resolveConfig({}).diffusion).toMatchObject({ conditioning: 'task-mean', taskMeanShare: 0.5 });
  expect(() => resolveConfig({ diffusion: { taskMeanShare: -0.1 } })).toThrow(/taskMeanShare/);
});
