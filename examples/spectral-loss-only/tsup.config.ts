import { defineConfig } from 'tsup';

// A Node program; tfjs and @loragen/weight-space stay external (the workspace's single tfjs copy runs).
export default defineConfig({
  entry: { main: 'src/main.ts' },
  format: ['esm'],
  platform: 'node',
  target: 'es2022',
  sourcemap: true,
  clean: true,
  external: [/^@tensorflow\//, /^@loragen\//],
});
