import { BackendUnavailableError } from '../errors';
import { optionalImport } from './optional-import';

interface DawnModule {
  create(flags: string[]): GpuLike;
  globals: Record<string, unknown>;
}
interface GpuLike {
  requestAdapter(): Promise<unknown>;
}

/**
 * Node has no `navigator.gpu`; the `webgpu` package (Dawn) provides one. It must be in
 * place before @tensorflow/tfjs-backend-webgpu is imported: that package registers its
 * backend at import time only if it sees `navigator.gpu`.
 */
export async function installNodeWebGpu(): Promise<void> {
  const g = globalThis as { navigator?: { gpu?: GpuLike } };
  if (g.navigator?.gpu) return;
  let dawn: DawnModule;
  try {
    dawn = await optionalImport<DawnModule>('webgpu');
  } catch (err) {
    throw new BackendUnavailableError(
      `the 'webgpu' backend in Node needs the 'webgpu' package (Dawn): ${(err as Error).message}`,
      'npm install webgpu@0.6.2 @tensorflow/tfjs-backend-webgpu',
    );
  }
  Object.assign(globalThis, dawn.globals);
  const gpu = dawn.create([]);
  if (g.navigator) Object.assign(g.navigator, { gpu });
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
}

export async function assertAdapter(): Promise<void> {
  const gpu = (globalThis as { navigator?: { gpu?: GpuLike } }).navigator?.gpu;
  const adapter = gpu ? await gpu.requestAdapter() : null;
  if (!adapter) {
    throw new BackendUnavailableError(
      'no WebGPU adapter was found',
      'in Node on Linux install a Vulkan driver (e.g. Mesa lavapipe, see tools/scripts/install-system-deps.sh) and set ' +
        'VK_ICD_FILENAMES; in a browser enable WebGPU; or choose the wasm backend',
    );
  }
}
