import { packageConfig } from '../../tools/build/tsup.mjs';

export default packageConfig();
