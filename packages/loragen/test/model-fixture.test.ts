import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { activateBackend, describeEachBackend, expectClose } from '@loragen/test-utils';
import { LoraGen, type LoraGenConfigInput } from '../src';
import { syntheticLibrary } from './helpers/synthetic-library';

// A model and a stage-2 training checkpoint written on 2026-12-06 by the code before issue 21 (see
// fixtures/model-2026-12-06/record.ts), with what generate() gave then on cpu. Today's code must load both.

const FIXTURE = path.join(__dirname, 'fixtures/model-2026-12-06');

interface Expected {
  description: string;
  seed: number;
  config: LoraGenConfigInput;
  modules: { name: string; A: number[]; B: number[] }[];
}

const expected = JSON.parse(fs.readFileSync(path.join(FIXTURE, 'expected.json'), 'utf8')) as Expected;

function flat(modules: { A: ArrayLike<number>; B: ArrayLike<number> }[]): number[] {
  return modules.flatMap((m) => [...Array.from(m.A), ...Array.from(m.B)]);
}

describeEachBackend('a model saved before issue 21', (backend) => {
  // cpu: the same kernels in the same order as when the fixture was recorded, so the same float32 values bit for
  // bit. Other backends sum in other orders (wasm's matmul, say): the same values to float32 rounding, compounded
  // over 25 sampling steps.
  test(`loads and generates what it generated then (${backend === 'cpu' ? 'bit for bit' : 'to float32 rounding'})`, async () => {
    const gen = await LoraGen.load(path.join(FIXTURE, 'model'));
    try {
      expect(gen.config.diffusion.lossWeighting).toBe('snr-ratio'); // saved as 'snr/(snr+1)', normalised on load
      const adapter = await gen.generate(expected.description, { seed: expected.seed });
      expect(adapter.modules.map((m) => m.name)).toEqual(expected.modules.map((m) => m.name));
      if (backend === 'cpu') expect(flat(adapter.modules)).toEqual(flat(expected.modules));
      else expectClose(flat(adapter.modules), flat(expected.modules), { rtol: 1e-3, atol: 1e-4 });
    } finally {
      gen.dispose();
    }
  });
});

describe('training as before issue 21 [cpu]', () => {
  let work: string;
  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'loragen-old-checkpoint-'));
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  async function expectFixtureWeights(gen: LoraGen, out: string): Promise<void> {
    await gen.save(out);
    const got = fs.readFileSync(path.join(out, 'weights.safetensors'));
    const want = fs.readFileSync(path.join(FIXTURE, 'model', 'weights.safetensors'));
    expect(Buffer.compare(got, want)).toBe(0);
  }

  test('training from scratch today gives the very weights it gave then', async () => {
    await activateBackend('cpu');
    const gen = await LoraGen.fit(syntheticLibrary().tasks, expected.config);
    try {
      await expectFixtureWeights(gen, path.join(work, 'scratch'));
    } finally {
      gen.dispose();
    }
  });

  test('a checkpoint written then resumes to the very weights of the uninterrupted run', async () => {
    await activateBackend('cpu');
    const root = path.join(work, 'checkpoints');
    fs.cpSync(path.join(FIXTURE, 'checkpoint'), path.join(root, 'step-00000020'), { recursive: true });
    fs.writeFileSync(path.join(root, 'LATEST'), 'step-00000020');
    const gen = await LoraGen.fit(syntheticLibrary().tasks, expected.config, { checkpointDir: root, resume: true });
    try {
      await expectFixtureWeights(gen, path.join(work, 'resumed'));
    } finally {
      gen.dispose();
    }
  });
});
