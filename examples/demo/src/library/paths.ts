// Where the demo's committed artefacts and reports live, relative to the built programs in dist/.
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** `examples/demo/assets`: the base model, the LoRA library and their manifest. */
export const ASSETS_DIR = fileURLToPath(new URL('../assets', import.meta.url));
/** `examples/demo/assets-skills`: the skills family's base model, LoRA library and manifest. */
export const SKILLS_ASSETS_DIR = fileURLToPath(new URL('../assets-skills', import.meta.url));
/** `<repo>/benchmarks/paper`: where `npm run bench:paper` writes its results. */
export const PAPER_RESULTS_DIR = fileURLToPath(new URL('../../../benchmarks/paper', import.meta.url));
export const baseModelDir = (assets: string): string => join(assets, 'base-model');
export const libraryDir = (assets: string): string => join(assets, 'library');
