import { defineConfig } from 'vite';

// The checkpoint lives in public/model (copied from the demo's trained model by
// scripts/copy-model.mjs) and is fetched at run time.
export default defineConfig({
  build: { target: 'es2022', sourcemap: true },
  optimizeDeps: { exclude: ['@tensorflow/tfjs-backend-wasm'] },
});
