import type { TestBackend } from '@loragen/test-utils';
import { setSimdKernels, setWebGpuKernels, simdKernelsActive, webGpuKernelsActive } from '@loragen/weight-space';

/**
 * Runs `body` once per implementation the backend has: on cpu and wasm the WebAssembly SIMD kernels (the default
 * there), on webgpu the WGSL kernels (the default there), and on both the tfjs-ops formulation other GPU backends
 * use. The kernels' block first checks that they really serve it, so a silent fallback cannot pass for them.
 */
export function describeEachStrategy(backend: TestBackend, body: () => void): void {
  const own = backend === 'webgpu' ? 'WebGPU kernels' : 'SIMD kernels';
  for (const strategy of [own, 'tfjs ops']) {
    const kernels = strategy === own;
    describe(strategy, () => {
      beforeAll(() => {
        setSimdKernels(kernels);
        setWebGpuKernels(kernels);
      });
      afterAll(() => {
        setSimdKernels(true);
        setWebGpuKernels(true);
      });
      if (kernels) it(`runs on the ${own}`, () => expect(backend === 'webgpu' ? webGpuKernelsActive() : simdKernelsActive()).toBe(true));
      body();
    });
  }
}
