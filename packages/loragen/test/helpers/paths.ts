import * as path from 'node:path';

/** `<repo>/../shared/fixtures`: ground truth written by Python, not by this project. */
export const FIXTURES = path.resolve(__dirname, '../../../../../shared/fixtures');
export const PEFT_CASES = ['t5-qv-r4', 'gemma2-qv-r4-rslora', 'llama-qv-r4-fp16', 't5-qv-r4-bin'];
