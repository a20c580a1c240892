// The token vocabulary shared by the task family and the base model.

/** Length of the digit sequence every task reads. */
export const SEQUENCE_LENGTH = 8;

/** Digits 0..9 are tokens 0..9. */
export const DIGITS = 10;

/** Operation tokens: the prompt the base model was pre-trained with names the operation and its argument. */
export const OPERATION_TOKENS = {
  contains: 10,
  absent: 11,
  first: 12,
  last: 13,
  twice: 14,
  maxAtLeast: 15,
  minAtMost: 16,
} as const;

/** The neutral prompt token: with it in both prompt slots the base model is not told the task. */
export const UNKNOWN_TOKEN = 17;

export const VOCABULARY_SIZE = 18;

/** Model input length: the digits, then the operation token, then the argument token. */
export const INPUT_LENGTH = SEQUENCE_LENGTH + 2;
