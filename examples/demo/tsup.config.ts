import { defineConfig } from 'tsup';

// The demo's command-line programs: Node-only ESM, tfjs and the @loragen packages stay external
// so the workspace's single copy of tfjs is the one that runs.
export default defineConfig({
  entry: {
    'build-library': 'src/cli/build-library.ts',
    demo: 'src/cli/demo.ts',
    'bench-paper': 'src/cli/bench-paper.ts',
  },
  format: ['esm'],
  platform: 'node',
  target: 'es2022',
  sourcemap: true,
  clean: true,
  splitting: false,
  external: [/^@tensorflow\//, /^@loragen\//],
});
