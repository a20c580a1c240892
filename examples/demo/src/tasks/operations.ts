// The seven operations of the task family. Each is a yes/no question about a sequence of digits,
// parameterised by a digit (a symbol or a threshold), so tasks share meaning compositionally:
// the same operation on different digits, the same digit under different operations.
import type { Rng } from './random';
import { DIGITS, OPERATION_TOKENS, SEQUENCE_LENGTH } from './vocabulary';

export type OperationName = keyof typeof OPERATION_TOKENS;

/** One operation: its exact answer, a sampler that aims at a requested answer, and paraphrase templates. */
export interface Operation {
  name: OperationName;
  /** Digits the operation is instantiated with (each gives one task). */
  args: readonly number[];
  /** The exact answer: the label of a sequence is always computed here, never taken from the sampler. */
  answer(sequence: readonly number[], arg: number): boolean;
  /** Draws a sequence whose answer is meant to be `wanted`, with hard cases near the decision boundary. */
  sample(rng: Rng, arg: number, wanted: boolean): number[];
  /** Paraphrases; `{d}` is the digit written as a numeral, `{w}` as a word. */
  templates: readonly string[];
  /**
   * Further wordings in sentence shapes the templates never use, kept out of every training set and of
   * `nearest-description`'s index: they measure how generation copes with a user's own words.
   */
  heldOutTemplates: readonly string[];
  /** Wordings for choosing text-side settings, in shapes unlike both lists above (see `LibraryTask.validationDescriptions`). */
  validationTemplates: readonly string[];
}

const ALL_DIGITS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] as const;

const count = (sequence: readonly number[], digit: number): number => sequence.reduce((n, x) => n + (x === digit ? 1 : 0), 0);

/** A uniform digit in [lo, hi] other than `excluded`. */
function digitOtherThan(rng: Rng, excluded: number, lo = 0, hi = DIGITS - 1): number {
  for (;;) {
    const d = rng.int(lo, hi);
    if (d !== excluded) return d;
  }
}

const sequenceOf = (draw: () => number): number[] => Array.from({ length: SEQUENCE_LENGTH }, draw);

/** Puts `digit` at `k` distinct random positions. */
function plant(rng: Rng, sequence: number[], digit: number, k: number): number[] {
  const free = sequence.map((_, i) => i);
  for (let j = 0; j < k; j++) {
    const [position] = free.splice(rng.int(0, free.length - 1), 1);
    sequence[position] = digit;
  }
  return sequence;
}

const contains: Operation = {
  name: 'contains',
  args: ALL_DIGITS,
  answer: (s, d) => count(s, d) > 0,
  sample: (rng, d, wanted) => {
    const s = sequenceOf(() => digitOtherThan(rng, d));
    return wanted ? plant(rng, s, d, rng.int(1, 2)) : s;
  },
  templates: [
    'Does the sequence contain the digit {d}?',
    'Answer yes if {w} appears anywhere in the list, otherwise no.',
    'Check whether the number {d} occurs in the sequence.',
    'Say yes when at least one {w} is present.',
    'Is there a {d} somewhere among the digits?',
    'Detect the presence of the digit {w}.',
  ],
  heldOutTemplates: ['Tell me if a {d} shows up anywhere in these digits.', 'Given a list of digits, report whether it contains a {w}.'],
  validationTemplates: [
    'Can you find a {d} in this list?',
    'Return true when the digit {w} turns up in the input.',
    'Respond positively if any {d} is included among the numbers.',
  ],
};

const absent: Operation = {
  name: 'absent',
  args: ALL_DIGITS,
  answer: (s, d) => count(s, d) === 0,
  sample: (rng, d, wanted) => contains.sample(rng, d, !wanted),
  templates: [
    'Is the digit {d} missing from the sequence?',
    'Answer yes if {w} never appears in the list, otherwise no.',
    'Check that the number {d} does not occur anywhere.',
    'Say yes when there is no {w} at all.',
    'Is the sequence free of the digit {d}?',
    'Detect the absence of the digit {w}.',
  ],
  heldOutTemplates: ['Tell me if these digits have no {d} in them.', 'Given a list of digits, report whether {w} is missing from it.'],
  validationTemplates: [
    'Can you confirm that no {d} is in this list?',
    'Return true when the digit {w} is nowhere in the input.',
    'Respond positively if the numbers lack any {d}.',
  ],
};

/** Operations that look at one fixed position of the sequence. */
function positional(name: 'first' | 'last', position: number, where: string, place: string): Operation {
  return {
    name,
    args: ALL_DIGITS,
    answer: (s, d) => s[position] === d,
    sample: (rng, d, wanted) => {
      const s = sequenceOf(() => rng.int(0, DIGITS - 1));
      s[position] = wanted ? d : digitOtherThan(rng, d);
      return s;
    },
    templates: [
      `Is the ${place} digit of the sequence {d}?`,
      `Answer yes if the sequence ${where} with {w}, otherwise no.`,
      `Check whether the ${place} number is {d}.`,
      `Say yes when {w} is in the ${place} position.`,
      `Does the list ${where} with the digit {d}?`,
      `Test if the ${place} element equals {w}.`,
    ],
    heldOutTemplates: [`Tell me if these digits ${where} with a {d}.`, `Given a list of digits, report whether its ${place} entry is {w}.`],
    validationTemplates: [
      `Can you confirm that the ${place} item here is {d}?`,
      `Return true when the input ${where} with the digit {w}.`,
      `Respond positively if the ${place} value equals {d}.`,
    ],
  };
}

const twice: Operation = {
  name: 'twice',
  args: ALL_DIGITS,
  answer: (s, d) => count(s, d) >= 2,
  sample: (rng, d, wanted) => {
    const s = sequenceOf(() => digitOtherThan(rng, d));
    // Negatives hold the digit once or not at all, so "contains" alone does not answer this task.
    return plant(rng, s, d, wanted ? rng.int(2, 3) : rng.int(0, 1));
  },
  templates: [
    'Does the digit {d} appear at least twice?',
    'Answer yes if {w} occurs two or more times, otherwise no.',
    'Check whether the number {d} is repeated in the sequence.',
    'Say yes when there are at least two {w}s.',
    'Is the count of {d} in the list two or more?',
    'Detect a repeated digit {w}.',
  ],
  heldOutTemplates: ['Tell me if {d} shows up two or more times in these digits.', 'Given a list of digits, report whether {w} is repeated in it.'],
  validationTemplates: [
    'Can you find {d} more than once in this list?',
    'Return true when the digit {w} turns up multiple times.',
    'Respond positively if {d} is included at least two times.',
  ],
};

/**
 * Threshold operations: every digit lies in `bulk(t)` (answer no) except, for a yes, one or two drawn from
 * `planted(t)`, so each example sits close to the decision boundary.
 */
function threshold(
  name: 'maxAtLeast' | 'minAtMost',
  args: readonly number[],
  answer: Operation['answer'],
  bulk: (t: number) => [number, number],
  planted: (t: number) => [number, number],
  templates: readonly string[],
  heldOutTemplates: readonly string[],
  validationTemplates: readonly string[],
): Operation {
  return {
    name,
    args,
    answer,
    sample: (rng, t, wanted) => {
      const s = sequenceOf(() => rng.int(...bulk(t)));
      if (wanted) for (let k = rng.int(1, 2); k > 0; k--) s[rng.int(0, SEQUENCE_LENGTH - 1)] = rng.int(...planted(t));
      return s;
    },
    templates,
    heldOutTemplates,
    validationTemplates,
  };
}

const maxAtLeast = threshold(
  'maxAtLeast',
  [3, 4, 5, 6, 7, 8],
  (s, t) => Math.max(...s) >= t,
  (t) => [0, t - 1],
  (t) => [t, DIGITS - 1],
  [
    'Is the largest digit at least {d}?',
    'Answer yes if some number is {w} or more, otherwise no.',
    'Check whether the maximum of the sequence reaches {d}.',
    'Say yes when any digit is greater than or equal to {w}.',
    'Does the biggest element reach the threshold {d}?',
    'Detect a value of at least {w}.',
  ],
  ['Tell me if the largest of these digits is {d} or bigger.', 'Given a list of digits, report whether its maximum is at least {w}.'],
  [
    'Can you find a number of {d} or above in this list?',
    'Return true when the top value is {w} or higher.',
    'Respond positively if the peak digit reaches at least {d}.',
  ],
);

const minAtMost = threshold(
  'minAtMost',
  [1, 2, 3, 4, 5, 6],
  (s, t) => Math.min(...s) <= t,
  (t) => [t + 1, DIGITS - 1],
  (t) => [0, t],
  [
    'Is the smallest digit at most {d}?',
    'Answer yes if some number is {w} or less, otherwise no.',
    'Check whether the minimum of the sequence is below or equal to {d}.',
    'Say yes when any digit is less than or equal to {w}.',
    'Does the lowest element fall to the threshold {d}?',
    'Detect a value of at most {w}.',
  ],
  ['Tell me if the smallest of these digits is {d} or smaller.', 'Given a list of digits, report whether its minimum is at most {w}.'],
  [
    'Can you find a number of {d} or below in this list?',
    'Return true when the bottom value is {w} or lower.',
    'Respond positively if the least digit drops to {d} or under.',
  ],
);

/** Every operation, in the order their tasks are numbered. */
export const OPERATIONS: readonly Operation[] = [
  contains,
  absent,
  positional('first', 0, 'starts', 'first'),
  positional('last', SEQUENCE_LENGTH - 1, 'ends', 'last'),
  twice,
  maxAtLeast,
  minAtMost,
];
