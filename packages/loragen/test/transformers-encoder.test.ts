import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expectClose } from '@loragen/test-utils';
import { FIXTURES } from './helpers/paths';

// transformers.js is ESM with a real dynamic import, which jest's CommonJS vm cannot run, so the encoder runs in
// a child `node` process on the tiny-bert fixture (no download: remote models are off).

const MODEL = path.join(FIXTURES, 'text-encoder', 'tiny-bert');
const expected = JSON.parse(fs.readFileSync(path.join(MODEL, 'expected.json'), 'utf8')) as {
  sentences: string[];
  mean_pooled: number[][];
  cls_pooled: number[][];
};

function embed(modelDir: string, pooling: string, sentences: string[]) {
  const r = spawnSync(
    process.execPath,
    [path.join(__dirname, 'helpers/run-ts.cjs'), path.join(__dirname, 'helpers/embed-child.ts'), modelDir, pooling, ...sentences],
    { encoding: 'utf8', env: { ...process.env, HF_HUB_OFFLINE: '1' } },
  );
  if (r.status !== 0) throw new Error(`child failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as { dim?: number; rows?: number[][]; error?: { name: string; message: string } };
}

describe('TransformersTextEncoder on tiny-bert', () => {
  it('mean-pooled embeddings match torch to 1e-5', () => {
    const out = embed(MODEL, 'mean', expected.sentences);
    expect(out.error).toBeUndefined();
    expect(out.dim).toBe(expected.mean_pooled[0].length);
    expectClose(out.rows!, expected.mean_pooled, { rtol: 0, atol: 1e-5 });
  });

  it('CLS-pooled embeddings match torch to 1e-5', () => {
    const out = embed(MODEL, 'cls', expected.sentences);
    expect(out.error).toBeUndefined();
    expectClose(out.rows!, expected.cls_pooled, { rtol: 0, atol: 1e-5 });
  });

  it('a missing model folder is a TextEncoderError with a hint, never a download', () => {
    const out = embed(path.join(FIXTURES, 'text-encoder', 'no-such-model'), 'mean', ['x']);
    expect(out.error?.name).toBe('TextEncoderError');
    expect(out.error?.message).toMatch(/could not load the model folder[\s\S]*hint: .*never downloaded/);
  });
});
