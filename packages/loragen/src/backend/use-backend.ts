import * as tf from '@tensorflow/tfjs';
import { BackendUnavailableError, LoraGenError } from '../errors';
import { BACKEND_NAMES, type BackendName, isBackendName } from './names';
import { assertAdapter, installNodeWebGpu } from './node-webgpu';
import { isNode, optionalImport } from './optional-import';

const TFJS_NODE_HINT =
  'install one with CUDA: `npm install @tensorflow/tfjs-node-gpu@4.22.0` (or the CPU build ' +
  '`@tensorflow/tfjs-node@4.22.0`); their install downloads libtensorflow, so it needs network access once. ' +
  "Otherwise use 'wasm' (fast on CPU) or 'webgpu'.";

async function registerTensorflow(): Promise<void> {
  const errors: string[] = [];
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      await optionalImport(pkg);
      return;
    } catch (err) {
      errors.push(`${pkg}: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  throw new BackendUnavailableError(
    `the 'tensorflow' backend needs @tensorflow/tfjs-node-gpu or @tensorflow/tfjs-node (${errors.join('; ')})`,
    TFJS_NODE_HINT,
  );
}

async function registerBackend(name: BackendName): Promise<void> {
  switch (name) {
    case 'cpu':
      return; // part of @tensorflow/tfjs
    case 'wasm':
      try {
        await import('@tensorflow/tfjs-backend-wasm');
      } catch (err) {
        throw new BackendUnavailableError(
          `the 'wasm' backend needs @tensorflow/tfjs-backend-wasm: ${(err as Error).message}`,
          'npm install @tensorflow/tfjs-backend-wasm@4.22.0',
        );
      }
      return;
    case 'webgpu':
      if (isNode()) await installNodeWebGpu();
      await assertAdapter();
      await import('@tensorflow/tfjs-backend-webgpu');
      return;
    case 'tensorflow':
      return registerTensorflow();
  }
}

/** The backend used when none is named: `LORAGEN_BACKEND`, else wasm (fast everywhere, no GPU needed). */
export function defaultBackend(): BackendName {
  const env = isNode() ? process.env.LORAGEN_BACKEND : undefined;
  if (env === undefined || env === '') return 'wasm';
  if (!isBackendName(env)) {
    throw new LoraGenError(`LORAGEN_BACKEND='${env}' is not a backend`, `use one of ${BACKEND_NAMES.join(', ')}`);
  }
  return env;
}

/**
 * Loads the backend package lazily, registers it and makes it tfjs's active backend.
 * @returns the name tfjs reports as active afterwards.
 * @throws BackendUnavailableError with an install hint when the backend cannot run here.
 */
export async function useBackend(name: BackendName = defaultBackend()): Promise<BackendName> {
  if (!isBackendName(name)) {
    throw new LoraGenError(`'${String(name)}' is not a backend`, `use one of ${BACKEND_NAMES.join(', ')}`);
  }
  await registerBackend(name);
  const ok = await tf.setBackend(name);
  if (!ok) throw new BackendUnavailableError(`tfjs could not initialise the '${name}' backend`, TFJS_NODE_HINT);
  await tf.ready();
  return tf.getBackend() as BackendName;
}
