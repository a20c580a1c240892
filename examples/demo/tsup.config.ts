import { defineConfig } from 'tsup';

// The demo's command-line programs (src/bin/, one file a program, built to dist/<name>.js): Node-only ESM, tfjs
// and the @loragen packages stay external so the workspace's single copy of tfjs is the one that runs. The
// programs find the assets and benchmarks/paper relative to dist/ (src/library/paths.ts).
export default defineConfig({
  entry: {
    'build-library': 'src/bin/build-library.ts',
    demo: 'src/bin/demo.ts',
    'bench-paper': 'src/bin/bench-paper.ts',
  },
  format: ['esm'],
  platform: 'node',
  target: 'es2022',
  sourcemap: true,
  clean: true,
  splitting: false,
  external: [/^@tensorflow\//, /^@loragen\//],
});
