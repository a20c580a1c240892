// One build recipe for every published package: ESM + CJS + .d.ts with source maps.
// tfjs, its backends and every optional runtime stay external so that the
// user's single copy of tfjs is the one that is used (two copies = two registries).
import { defineConfig } from 'tsup';

const ALWAYS_EXTERNAL = [/^@tensorflow\//, /^@loragen\//, 'webgpu', /^@huggingface\//];

/**
 * @param {{ entry?: Record<string, string> | string[]; external?: (string|RegExp)[]; banner?: Record<string,string> }} [opts]
 */
export function packageConfig(opts = {}) {
  return defineConfig({
    entry: opts.entry ?? { index: 'src/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'es2022',
    platform: 'neutral',
    // One copy of each module shared by all entries (a chunk): an error class thrown by `pkg/node` is then the
    // one `pkg` exports, so `instanceof` holds across entry points (in cjs too, where tsup splits experimentally).
    splitting: true,
    treeshake: true,
    external: [...ALWAYS_EXTERNAL, ...(opts.external ?? [])],
    outExtension: ({ format }) => ({ js: format === 'cjs' ? '.cjs' : '.js', dts: format === 'cjs' ? '.d.cts' : '.d.ts' }),
    ...(opts.banner ? { banner: opts.banner } : {}),
  });
}
