import { packageConfig } from '../../tools/build/tsup.mjs';

export default packageConfig({ entry: { index: 'src/index.ts', node: 'src/node.ts', cli: 'src/cli/main.ts' } });
