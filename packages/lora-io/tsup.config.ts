import { packageConfig } from '../../tools/build/tsup.mjs';

// `node` is the fs-backed entry point; `index` stays browser-safe.
export default packageConfig({ entry: { index: 'src/index.ts', node: 'src/node.ts' } });
