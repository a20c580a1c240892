import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readPeftAdapter, writePeftAdapter } from '@loragen/lora-io/node';
import { activateBackend, requestedBackends } from '@loragen/test-utils';
import type { LoraModule } from '@loragen/lora-io';
import { LoraGen, lowRankInnerFloat64 } from '../src';
import { syntheticLibrary } from './helpers/synthetic-library';
import { TINY_CONFIG } from './helpers/tiny-config';
import { writeLibrary } from './helpers/write-library';

const CLI = [path.join(__dirname, 'helpers/run-ts.cjs'), path.resolve(__dirname, '../src/cli/main.ts')];

/**
 * `loragen train` in a child Node process, as an app or a user runs it (the CLI's TypeScript source through swc,
 * as in resume.test.ts). Training runs outside jest on purpose: jest's module sandbox makes every global lookup
 * slow, and tfjs-backend-cpu's element-by-element paths do one per element, so under jest the cpu fit takes about
 * 45 s where an app takes about 25 s; the test would time jest, not LoRAGen.
 */
function trainWithCli(library: string, out: string, configFile: string, backend: string): Promise<{ code: number | null; err: string }> {
  const child = spawn(
    process.execPath,
    [...CLI, 'train', '--library', library, '--out', out, '--config', configFile, '--backend', backend, '--json'],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, err })));
}

/** Cosine between two whole adapters' updates: all modules' dW = scaling B A stacked into one vector. */
function adapterCosine(x: LoraModule[], y: LoraModule[]): number {
  let xy = 0;
  let xx = 0;
  let yy = 0;
  x.forEach((m, i) => {
    xy += lowRankInnerFloat64(m, y[i]);
    xx += lowRankInnerFloat64(m, m);
    yy += lowRankInnerFloat64(y[i], y[i]);
  });
  return xy / Math.sqrt(xx * yy);
}

// Training runs on cpu and wasm; webgpu here is a software rasteriser about 10x slower than wasm, so it is
// covered by backends.test.ts (generation from a trained model) instead.
for (const backend of requestedBackends().filter((b) => b !== 'webgpu')) {
  describe(`end to end: library on disk, loragen train, generate, write PEFT, read back [${backend}]`, () => {
    const { tasks, truth } = syntheticLibrary();
    let gen: LoraGen;
    let work: string;

    beforeAll(async () => {
      await activateBackend(backend);
      work = fs.mkdtempSync(path.join(os.tmpdir(), 'loragen-e2e-'));
      const library = path.join(work, 'library');
      await writeLibrary(library, tasks);
      const configFile = path.join(work, 'config.json');
      fs.writeFileSync(configFile, JSON.stringify(TINY_CONFIG));
      const trained = await trainWithCli(library, path.join(work, 'trained'), configFile, backend);
      expect(trained.err).not.toMatch(/Error/);
      expect(trained.code).toBe(0);
      gen = await LoraGen.load(path.join(work, 'trained'));
    });

    afterAll(() => {
      gen?.dispose();
      fs.rmSync(work, { recursive: true, force: true });
    });

    it("generates each training task's update (cosine >= 0.9 with the true dW, through PEFT files)", async () => {
      const cosines: number[] = [];
      for (const task of tasks) {
        const adapter = await gen.generate(task.descriptions[1]);
        const dir = path.join(work, task.name);
        await writePeftAdapter(dir, adapter);
        const back = await readPeftAdapter(dir);
        const exact = truth.get(task.name)!;
        expect(back.modules.map((m) => m.name)).toEqual(exact.map((m) => m.name));
        expect(back.modules.every((m) => m.scaling === exact[0].scaling && m.rank === 2)).toBe(true);
        cosines.push(adapterCosine(back.modules, exact));
      }
      // every task, named in the failure message with its cosine
      expect(cosines.map((c, i) => `${tasks[i].name} ${c >= 0.9 ? 'ok' : c.toFixed(3)}`)).toEqual(tasks.map((t) => `${t.name} ok`));
    });

    it('saves and loads to the same generator (identical adapters for a seed)', async () => {
      await gen.save(path.join(work, 'model'));
      const loaded = await LoraGen.load(path.join(work, 'model'));
      const a = await gen.generate(tasks[0].descriptions[0], { seed: 9 });
      const b = await loaded.generate(tasks[0].descriptions[0], { seed: 9 });
      expect(b.modules.map((m) => Array.from(m.B))).toEqual(a.modules.map((m) => Array.from(m.B)));
      expect(b.modules.map((m) => Array.from(m.A))).toEqual(a.modules.map((m) => Array.from(m.A)));
      expect(b.config).toEqual(a.config);
      loaded.dispose();
    });
  });
}
