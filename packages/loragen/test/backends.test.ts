import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { activateBackend, describeEachBackend, expectClose } from '@loragen/test-utils';
import type { LoraAdapter } from '@loragen/lora-io';
import { LoraGen } from '../src';
import { syntheticLibrary } from './helpers/synthetic-library';
import { TINY_CONFIG } from './helpers/tiny-config';

// A model trained (briefly) on cpu generates the same adapter on every backend for the same seed.

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'loragen-backends-'));
const model = path.join(work, 'model');
const OPTIONS = { sampler: 'ddim' as const, steps: 8, seed: 5 };
let reference: LoraAdapter;

beforeAll(async () => {
  await activateBackend('cpu');
  const { tasks } = syntheticLibrary();
  const gen = await LoraGen.fit(tasks, {
    ...TINY_CONFIG,
    autoencoder: { ...TINY_CONFIG.autoencoder, steps: 20 },
    diffusion: { ...TINY_CONFIG.diffusion, steps: 20 },
  });
  await gen.save(model);
  reference = await gen.generate('brief sentiment task', OPTIONS);
  gen.dispose();
});

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describeEachBackend('generation', (backend) => {
  it(`matches cpu on ${backend}`, async () => {
    const gen = await LoraGen.load(model);
    const adapter = await gen.generate('brief sentiment task', OPTIONS);
    gen.dispose();
    // every module, by name: an adapter with fewer (or none) must not pass
    expect(reference.modules.length).toBeGreaterThan(0);
    expect(adapter.modules.map((m) => m.name)).toEqual(reference.modules.map((m) => m.name));
    adapter.modules.forEach((m, i) => {
      expectClose(m.A, reference.modules[i].A, { rtol: 2e-3, atol: 2e-4 });
      expectClose(m.B, reference.modules[i].B, { rtol: 2e-3, atol: 2e-4 });
    });
  });
});
