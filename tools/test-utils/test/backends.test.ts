// The backend matrix must run each block on the backend it names: a backend that cannot start fails loudly,
// where tfjs alone would fall back to cpu and let a "[wasm]" block pass there.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { activateBackend } from '../src';

/** Replaces the registered wasm backend by one whose factory is `factory`. */
function replaceWasm(factory: () => tf.KernelBackend | Promise<tf.KernelBackend>): void {
  if (tf.findBackendFactory('wasm')) tf.removeBackend('wasm');
  tf.registerBackend('wasm', factory);
}

describe('activateBackend', () => {
  // tfjs logs each failed initialisation; these failures are the point of the tests
  beforeEach(() => jest.spyOn(console, 'warn').mockImplementation(() => {}));
  afterEach(() => jest.restoreAllMocks());

  it('fails when the backend factory throws (tf.setBackend returns false)', async () => {
    replaceWasm(() => {
      throw new Error('cannot start');
    });
    await expect(activateBackend('wasm')).rejects.toThrow(/tf\.setBackend\('wasm'\) returned false/);
  });

  it('fails when the backend initialises asynchronously and that fails (as the wasm binary loading does)', async () => {
    replaceWasm(async () => {
      throw new Error('cannot start');
    });
    await expect(activateBackend('wasm')).rejects.toThrow(/returned false/);
    // what the check guards against: tfjs on its own falls back to another backend
    await tf.ready();
    expect(tf.getBackend()).toBe('cpu');
  });

  it('activates a backend that starts', async () => {
    await activateBackend('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });
});

describe('describeEachBackend', () => {
  it('fails the [wasm] block when wasm cannot start, and passes the same body on cpu', () => {
    const jestBin = require.resolve('jest/bin/jest');
    const root = path.resolve(__dirname, '..');
    const child = spawnSync(
      process.execPath,
      [
        jestBin,
        '--config',
        'jest.config.cjs',
        '--testMatch',
        '<rootDir>/test/fixtures/unstartable-wasm.fixture.ts',
        '--reporters',
        'default',
        '--ci',
      ],
      // FORCE_COLOR=0: nx sets FORCE_COLOR for the tasks it runs, and colour codes would break the matches below
      { cwd: root, encoding: 'utf8', env: { ...process.env, LORAGEN_TEST_BACKENDS: 'cpu,wasm', FORCE_COLOR: '0' }, timeout: 120_000 },
    );
    const out = child.stdout + child.stderr;
    expect(out).toMatch(/a body that passes anywhere \[cpu\]\s+✓ passes/);
    expect(out).toMatch(/a body that passes anywhere \[wasm\]\s+✕ passes/);
    expect(out).toMatch(/backend 'wasm' was requested but tf\.setBackend\('wasm'\) returned false/);
    expect(out).toMatch(/Tests:\s+1 failed, 1 passed, 2 total/);
    expect(child.status).toBe(1);
  });
});
