// Text and JSON files written atomically through lora-io's writer (a temporary name, then rename).
import { writeFileAtomic } from '@loragen/lora-io/node';

export const writeTextAtomic = (path: string, text: string): Promise<void> => writeFileAtomic(path, [new TextEncoder().encode(text)]);

/** Pretty JSON with a trailing newline. */
export const writeJsonAtomic = (path: string, value: unknown): Promise<void> => writeTextAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
