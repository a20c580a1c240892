import { useBackend, type BackendName } from '@loragen/core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';

/**
 * WebGPU where the browser has an adapter, wasm otherwise. `?backend=wasm` in the URL
 * forces one (the end-to-end test compares both).
 */
export async function chooseBackend(requested: string | null): Promise<{ name: BackendName; fallbackReason?: string }> {
  // Vite fingerprints the .wasm files: tell the wasm backend where they went.
  setWasmPaths({
    'tfjs-backend-wasm.wasm': wasmPlain,
    'tfjs-backend-wasm-simd.wasm': wasmSimd,
    'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
  });
  if (requested === 'wasm' || requested === 'cpu') return { name: await useBackend(requested) };
  try {
    return { name: await useBackend('webgpu') };
  } catch (err) {
    return { name: await useBackend('wasm'), fallbackReason: (err as Error).message.split('\n')[0] };
  }
}
