import type { TestBackend } from '@loragen/test-utils';
import { setSimdKernels, simdKernelsActive } from '@loragen/weight-space';

/**
 * Runs `body` once per implementation the backend has: on cpu and wasm both the WebAssembly SIMD kernels (the
 * default there) and the tfjs-ops formulation the GPU backends use; elsewhere the tfjs ops only. The SIMD block
 * first checks that the kernels really serve it, so a silent fallback cannot pass for them.
 */
export function describeEachStrategy(backend: TestBackend, body: () => void): void {
  const strategies = backend === 'webgpu' ? ['tfjs ops'] : ['SIMD kernels', 'tfjs ops'];
  for (const strategy of strategies) {
    const simd = strategy === 'SIMD kernels';
    describe(strategy, () => {
      beforeAll(() => setSimdKernels(simd));
      afterAll(() => setSimdKernels(true));
      if (simd) it('runs on the SIMD kernels', () => expect(simdKernelsActive()).toBe(true));
      body();
    });
  }
}
