// Loads the committed base model and LoRA library, after checking them against their manifest.
import { loadBaseModel } from './base-model-file';
import { readLibrary, type LibraryEntry } from './library-folder';
import { verifyManifest } from './manifest';
import type { BaseModelConfig } from '../model/config';
import type { WeightTable } from '../model/parameters';
import { baseModelDir, libraryDir } from './paths';

export interface DemoAssets {
  base: WeightTable;
  config: BaseModelConfig;
  library: Map<string, LibraryEntry>;
}

export async function loadAssets(assets: string): Promise<DemoAssets> {
  const problems = await verifyManifest(assets);
  if (problems.length > 0) {
    throw new Error(
      `${assets} does not match its manifest:\n  ${problems.join('\n  ')}\nrestore it from git or rebuild it with the build-library script`,
    );
  }
  const { weights, config } = await loadBaseModel(baseModelDir(assets));
  return { base: weights, config, library: await readLibrary(libraryDir(assets)) };
}
