// Run by transformers-encoder.test.ts in a plain `node` child process (jest's vm cannot run a real ESM import()):
// argv = model folder, pooling, then sentences; prints {"dim", "rows"} or {"error": {name, message}} as JSON.
import { TransformersTextEncoder } from '../../src';

async function main(): Promise<void> {
  const [modelDir, pooling, ...sentences] = process.argv.slice(2);
  try {
    const encoder = await TransformersTextEncoder.create({ modelDir, pooling: pooling as 'mean' | 'cls' });
    const e = await encoder.embed(sentences);
    process.stdout.write(JSON.stringify({ dim: encoder.dim, rows: await e.array() }));
  } catch (err) {
    process.stdout.write(JSON.stringify({ error: { name: (err as Error).name, message: (err as Error).message } }));
  }
}

void main();
