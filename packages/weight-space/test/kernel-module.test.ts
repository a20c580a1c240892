// The compiled kernel module: the committed bytes are what the AssemblyScript source compiles to, the module needs
// nothing but a memory (no data segment that would overwrite tfjs-wasm's heap, no start function), a module that
// fails is a typed error, and only an engine without WebAssembly SIMD falls back, with one warning. Also the tfjs
// internals adapter: another tfjs version, or a backend without the known fields, is an UnsupportedTfjsError.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { KERNEL_WASM, KERNEL_WASM_SHARED } from '../src/simd/kernel-bytes.generated';
import { KernelModuleError, UnsupportedTfjsError } from '../src/errors';
import { checkTfjsVersion, cpuTensorAccess, wasmHeapAccess } from '../src/host/tfjs-internals';

const bytes = (base64: string) => Uint8Array.from(Buffer.from(base64, 'base64'));

/** Section ids of a module, in order (the binary format's framing: id byte, LEB128 size, contents). */
function sectionIds(module: Uint8Array): number[] {
  const ids: number[] = [];
  for (let at = 8; at < module.length;) {
    ids.push(module[at++]);
    let size = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = module[at++];
      size |= (byte & 0x7f) << shift;
      if (byte < 0x80) break;
    }
    at += size;
  }
  return ids;
}

const KERNEL_NAMES = [
  'gram_f64',
  'jacobi_sweeps',
  'left_mul',
  'pack_columns_f64',
  'pack_f64',
  'pack_rows_f64',
  'right_mul16',
  'right_mul4',
  'right_mul8',
];

describe('kernel module bytes', () => {
  it('src/simd/kernel-bytes.generated.ts is what kernels/simd-kernels.ts compiles to', () => {
    const script = path.join(__dirname, '..', 'scripts', 'build-kernels.mjs');
    expect(() => execFileSync(process.execPath, [script, '--check'], { stdio: 'pipe' })).not.toThrow();
  });

  it.each([
    ['ordinary', KERNEL_WASM, false],
    ['shared', KERNEL_WASM_SHARED, true],
  ] as const)('the %s-memory module imports only env.memory, exports the kernels, has no data or start section', (_, base64, shared) => {
    const module = new WebAssembly.Module(bytes(base64));
    expect(WebAssembly.Module.imports(module)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
    expect(
      WebAssembly.Module.exports(module)
        .map((e) => e.name)
        .sort(),
    ).toEqual(KERNEL_NAMES);
    const ids = sectionIds(bytes(base64));
    expect(ids.filter((id) => id === 8 || id === 11 || id === 12)).toEqual([]); // start, data, data count
    const memory = new WebAssembly.Memory(shared ? { initial: 1, maximum: 65536, shared: true } : { initial: 1 });
    expect(() => new WebAssembly.Instance(module, { env: { memory } })).not.toThrow();
  });
});

describe('kernel module failures', () => {
  afterEach(() => jest.restoreAllMocks());

  it('a module that does not compile is a KernelModuleError, not a fallback', () => {
    jest.isolateModules(() => {
      jest.doMock('../src/simd/kernel-bytes.generated', () => ({ KERNEL_WASM: 'AGFzbQEAAAAB', KERNEL_WASM_SHARED: 'AGFzbQEAAAAB' }));
      const { simdKernelsFor } = require('../src/simd/simd-instance') as typeof import('../src/simd/simd-instance');
      const errors = require('../src/errors') as typeof import('../src/errors');
      const call = () => simdKernelsFor(new WebAssembly.Memory({ initial: 1 }));
      expect(call).toThrow(errors.KernelModuleError);
      expect(call).toThrow(/does not compile[\s\S]*hint: .*setSimdKernels\(false\)/);
    });
    jest.dontMock('../src/simd/kernel-bytes.generated');
  });

  it('without WebAssembly SIMD the kernels are off, and one console warning says so', () => {
    jest.spyOn(WebAssembly, 'validate').mockReturnValue(false);
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    jest.isolateModules(() => {
      const { simdKernelsFor, wasmSimdSupported } = require('../src/simd/simd-instance') as typeof import('../src/simd/simd-instance');
      expect(wasmSimdSupported()).toBe(false);
      expect(simdKernelsFor(new WebAssembly.Memory({ initial: 1 }))).toBeNull();
      expect(simdKernelsFor(new WebAssembly.Memory({ initial: 1 }))).toBeNull();
    });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toMatch(/no WebAssembly SIMD/);
  });

  it('an error class users can catch', () => {
    expect(new KernelModuleError('x')).toBeInstanceOf(Error);
  });
});

describe('tfjs internals adapter', () => {
  it('knows tfjs 4.22.x and refuses other versions with an UnsupportedTfjsError', () => {
    expect(() => checkTfjsVersion()).not.toThrow();
    expect(() => checkTfjsVersion('4.22.0')).not.toThrow();
    expect(() => checkTfjsVersion('4.23.0')).toThrow(UnsupportedTfjsError);
    expect(() => checkTfjsVersion('5.0.0')).toThrow(/tfjs 4\.22\.x, and @tensorflow\/tfjs-core is 5\.0\.0[\s\S]*hint: .*setSimdKernels\(false\)/);
  });

  it('refuses a backend without the fields it reads', () => {
    expect(() => wasmHeapAccess({} as never)).toThrow(UnsupportedTfjsError);
    expect(() => wasmHeapAccess({ wasm: { asm: {} } } as never)).toThrow(/wasm\.asm\.memory/);
    expect(() => cpuTensorAccess({} as never)).toThrow(UnsupportedTfjsError);
  });
});
