// The backend matrix for numeric tests: cpu and wasm by default; LORAGEN_TEST_BACKENDS
// (comma separated) chooses others, e.g. `cpu,wasm,webgpu` where a WebGPU adapter exists.
import * as tf from '@tensorflow/tfjs';

export type TestBackend = 'cpu' | 'wasm' | 'webgpu';

const ALL: TestBackend[] = ['cpu', 'wasm', 'webgpu'];

export function requestedBackends(): TestBackend[] {
  const raw = process.env.LORAGEN_TEST_BACKENDS;
  if (!raw) return ['cpu', 'wasm'];
  const names = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const n of names) {
    if (!ALL.includes(n as TestBackend)) {
      throw new Error(`LORAGEN_TEST_BACKENDS names unknown backend '${n}'; use a comma list of ${ALL.join(', ')}`);
    }
  }
  return names as TestBackend[];
}

async function registerWebgpu(): Promise<boolean> {
  const g = globalThis as { navigator?: { gpu?: unknown } };
  if (!g.navigator?.gpu) {
    // `webgpu` is ESM-only; jest runs CommonJS, so load Dawn's addon directly.
    const dawn = require(`webgpu/dist/${process.platform}-${process.arch}/dawn.node`) as {
      create(flags: string[]): unknown;
      globals: Record<string, unknown>;
    };
    Object.assign(globalThis, dawn.globals);
    Object.defineProperty(globalThis, 'navigator', { value: { gpu: dawn.create([]) }, configurable: true });
  }
  const gpu = (globalThis as unknown as { navigator: { gpu: { requestAdapter(): Promise<unknown> } } }).navigator.gpu;
  if (!(await gpu.requestAdapter())) return false;
  require('@tensorflow/tfjs-backend-webgpu');
  return true;
}

const available = new Map<TestBackend, Promise<boolean>>();

/** Registers (once) and reports whether `name` can run here. */
export function backendAvailable(name: TestBackend): Promise<boolean> {
  let p = available.get(name);
  if (!p) {
    p = (async () => {
      if (name === 'wasm') require('@tensorflow/tfjs-backend-wasm');
      if (name === 'webgpu') return registerWebgpu();
      return true;
    })().catch(() => false);
    available.set(name, p);
  }
  return p;
}

/**
 * Makes `name` tfjs's active backend, or throws. `tf.setBackend` does not throw when a backend fails to start: it
 * returns false, and the next `tf.ready()` quietly falls back to another registered backend (cpu), so a test meant
 * for wasm would pass on cpu. Both the returned flag and the backend active afterwards are checked.
 */
export async function activateBackend(name: TestBackend): Promise<void> {
  if (!(await backendAvailable(name))) {
    throw new Error(`backend '${name}' was requested but could not start (no adapter or package)`);
  }
  if (!(await tf.setBackend(name))) {
    throw new Error(`backend '${name}' was requested but tf.setBackend('${name}') returned false: its initialisation failed`);
  }
  await tf.ready();
  const active = tf.getBackend();
  if (active !== name) throw new Error(`backend '${name}' was requested but '${active}' is active`);
}

/**
 * Runs `body` once per requested backend, inside a describe block named after it.
 * A requested backend that cannot start fails the block loudly: it was asked for. Each test also checks that the
 * block's backend is still the active one (a test that switched backends and did not switch back fails the next).
 */
export function describeEachBackend(title: string, body: (backend: TestBackend) => void): void {
  for (const backend of requestedBackends()) {
    describe(`${title} [${backend}]`, () => {
      beforeAll(() => activateBackend(backend));
      beforeEach(() => {
        const active = tf.getBackend();
        if (active !== backend) throw new Error(`this block runs on '${backend}' but '${active}' is active`);
      });
      body(backend);
    });
  }
}
