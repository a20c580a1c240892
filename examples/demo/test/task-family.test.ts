import { listTasks, mixtureExamples, taskExamples, ZERO_SHOT_TASK_IDS, taskById, type Examples } from '../src/tasks/family';
import { INPUT_LENGTH, OPERATION_TOKENS, SEQUENCE_LENGTH, UNKNOWN_TOKEN } from '../src/tasks/vocabulary';

// Independent statements of each operation's answer, written from the descriptions, not from operations.ts.
const ORACLE: Record<string, (digits: number[], d: number) => boolean> = {
  contains: (s, d) => s.includes(d),
  absent: (s, d) => !s.includes(d),
  first: (s, d) => s[0] === d,
  last: (s, d) => s[s.length - 1] === d,
  twice: (s, d) => s.filter((x) => x === d).length >= 2,
  maxAtLeast: (s, t) => s.some((x) => x >= t),
  minAtMost: (s, t) => s.some((x) => x <= t),
};

const rows = (e: Examples) => Array.from({ length: e.count }, (_, i) => Array.from(e.inputs.subarray(i * INPUT_LENGTH, (i + 1) * INPUT_LENGTH)));

describe('task family', () => {
  const tasks = listTasks();

  it('has at least 60 tasks with unique ids and at least 5 distinct paraphrases each', () => {
    expect(tasks.length).toBeGreaterThanOrEqual(60);
    expect(new Set(tasks.map((t) => t.id)).size).toBe(tasks.length);
    for (const t of tasks) expect(new Set(t.descriptions).size).toBeGreaterThanOrEqual(5);
    expect(new Set(tasks.flatMap((t) => t.descriptions)).size).toBe(tasks.reduce((n, t) => n + t.descriptions.length, 0));
  });

  it.each(listTasks().map((t) => [t.id]))('%s: labels are the exact answer, balanced, digits in range', (id) => {
    const task = taskById(id);
    const examples = taskExamples(task, 'train', 7, 500);
    const wrong: string[] = [];
    let positives = 0;
    rows(examples).forEach((row, i) => {
      const digits = row.slice(0, SEQUENCE_LENGTH);
      const expected = ORACLE[task.operation.name](digits, task.arg) ? 1 : 0;
      const wellFormed =
        digits.every((d) => d >= 0 && d <= 9) && row[SEQUENCE_LENGTH] === UNKNOWN_TOKEN && row[SEQUENCE_LENGTH + 1] === UNKNOWN_TOKEN;
      if (!wellFormed || examples.labels[i] !== expected) wrong.push(`${row} -> ${examples.labels[i]}`);
      positives += examples.labels[i];
    });
    expect(wrong).toEqual([]);
    expect(positives / examples.count).toBeGreaterThan(0.4);
    expect(positives / examples.count).toBeLessThan(0.6);
  });

  it('generators are seeded: same seed same examples, splits and seeds differ', () => {
    const task = taskById('twice-4');
    expect(taskExamples(task, 'test', 3, 64)).toEqual(taskExamples(task, 'test', 3, 64));
    expect(taskExamples(task, 'test', 3, 64).inputs).not.toEqual(taskExamples(task, 'train', 3, 64).inputs);
    expect(taskExamples(task, 'test', 3, 64).inputs).not.toEqual(taskExamples(task, 'test', 4, 64).inputs);
  });

  it('the task prompt names the operation and the digit; the mixture covers every operation', () => {
    const task = taskById('maxAtLeast-6');
    for (const row of rows(taskExamples(task, 'train', 1, 16, 'task'))) {
      expect(row.slice(SEQUENCE_LENGTH)).toEqual([OPERATION_TOKENS.maxAtLeast, 6]);
    }
    const operations = new Set(rows(mixtureExamples(tasks, 1, 500)).map((r) => r[SEQUENCE_LENGTH]));
    expect(operations).toEqual(new Set(Object.values(OPERATION_TOKENS)));
  });

  it('zero-shot tasks are at least 12 real tasks, each a new combination of an operation and a digit seen in training', () => {
    expect(ZERO_SHOT_TASK_IDS.length).toBeGreaterThanOrEqual(12);
    const held = ZERO_SHOT_TASK_IDS.map(taskById);
    const training = tasks.filter((t) => !ZERO_SHOT_TASK_IDS.includes(t.id));
    for (const t of held) {
      expect(training.some((u) => u.operation.name === t.operation.name)).toBe(true);
      expect(training.some((u) => u.arg === t.arg && u.operation.name !== t.operation.name)).toBe(true);
    }
    expect(() => taskById('contains-42')).toThrow(/unknown task 'contains-42'/);
  });
});

describe('held-out wordings', () => {
  const tasks = listTasks();
  it('every task has at least two, none of them a training description', () => {
    for (const t of tasks) {
      expect(t.heldOutDescriptions.length).toBeGreaterThanOrEqual(2);
      for (const d of t.heldOutDescriptions) expect(t.descriptions).not.toContain(d);
    }
  });

  it('use sentence shapes no training template uses (no shared opening of three words)', () => {
    const opening = (d: string) => d.toLowerCase().split(/\s+/).slice(0, 3).join(' ');
    const trainingOpenings = new Set(tasks.flatMap((t) => t.descriptions.map(opening)));
    for (const t of tasks) for (const d of t.heldOutDescriptions) expect(trainingOpenings.has(opening(d))).toBe(false);
  });

  it('name their own task: the digit, as a numeral or a word', () => {
    const words = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
    for (const t of tasks) for (const d of t.heldOutDescriptions) expect(d.includes(String(t.arg)) || d.includes(words[t.arg])).toBe(true);
  });
});

describe('validation wordings', () => {
  const tasks = listTasks();
  it('three per task, naming its digit, in openings neither the templates nor the held-out wordings use', () => {
    const words = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
    const opening = (d: string) => d.toLowerCase().split(/\s+/).slice(0, 3).join(' ');
    const used = new Set(tasks.flatMap((t) => [...t.descriptions, ...t.heldOutDescriptions].map(opening)));
    for (const t of tasks) {
      expect(new Set(t.validationDescriptions).size).toBe(3);
      for (const d of t.validationDescriptions) {
        expect(used.has(opening(d))).toBe(false);
        expect(d.includes(String(t.arg)) || d.includes(words[t.arg])).toBe(true);
      }
    }
  });
});
