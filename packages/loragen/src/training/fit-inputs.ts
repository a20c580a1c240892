import { resolveConfig } from '../config/resolve-config';
import type { LoraGenConfig, LoraGenConfigInput } from '../config/schema';
import { buildFactorSet, type FactorSet, type LibraryTask } from '../data/factor-set';
import { drawCombinations, withCombinations } from '../data/library-combinations';
import { HashingTextEncoder } from '../text/hashing-encoder';
import type { TaskTextEncoder } from '../text/text-encoder';

/** What a fit trains from. */
export interface FitInputs {
  cfg: LoraGenConfig;
  /** The library's factor set with the config's synthetic combinations added. */
  data: FactorSet;
  textEncoder: TaskTextEncoder;
}

/**
 * The start of `LoraGen.fit` and `TextToLora.fit`: resolves the config (before the library is read, so a bad config
 * fails first), builds the library's factor set and adds the configured combinations, and takes the given text
 * encoder or a hashing encoder of `text.hashingDim`. With `keepTasks`, the whole library is read into a list before
 * the factor set is built, and the list is returned too; without, the library is streamed into the factor set.
 */
export async function fitInputs(
  library: Iterable<LibraryTask> | AsyncIterable<LibraryTask>,
  config: LoraGenConfigInput,
  options: { textEncoder?: TaskTextEncoder; keepTasks: true },
): Promise<FitInputs & { tasks: LibraryTask[] }>;
export async function fitInputs(
  library: Iterable<LibraryTask> | AsyncIterable<LibraryTask>,
  config: LoraGenConfigInput,
  options: { textEncoder?: TaskTextEncoder },
): Promise<FitInputs>;
export async function fitInputs(
  library: Iterable<LibraryTask> | AsyncIterable<LibraryTask>,
  config: LoraGenConfigInput,
  options: { textEncoder?: TaskTextEncoder; keepTasks?: boolean },
): Promise<FitInputs & { tasks?: LibraryTask[] }> {
  const cfg = resolveConfig(config);
  let tasks: LibraryTask[] | undefined;
  if (options.keepTasks) {
    tasks = [];
    for await (const task of library) tasks.push(task);
  }
  const own = await buildFactorSet(tasks ?? library);
  const data = await withCombinations(own, drawCombinations(own.taskNames.length, cfg.combinations.count, cfg.seed));
  const textEncoder = options.textEncoder ?? new HashingTextEncoder({ dim: cfg.text.hashingDim });
  return { cfg, data, textEncoder, tasks };
}
