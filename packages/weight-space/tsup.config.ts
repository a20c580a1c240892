import { copyFile } from 'node:fs/promises';
import { packageConfig } from '../../tools/build/tsup.mjs';

const base = packageConfig();

export default {
  ...base,
  // import.meta.url in the CommonJS build too: the Gram worker's file is found beside the module that starts it
  shims: true,
  // the Gram worker thread is a plain ES module file started by worker_threads: shipped beside the bundles
  async onSuccess() {
    await copyFile('src/host/gram-worker-thread.mjs', 'dist/gram-worker-thread.mjs');
  },
};
