import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { useBackend } from '../../backend/use-backend';
import type { LoraGenConfigInput } from '../../config/schema';
import { ConfigError } from '../../errors';
import { inputFile, inputFolder, outputFolder } from '../paths';
import { resolveConfig } from '../../config/resolve-config';
import { LoraGen } from '../../loragen';
import type { FitProgress } from '../../training/progress';
import { backendOption, parseCommandArgs, required, valueOptions, type OptionDefinitions } from '../args';
import type { CliIO } from '../output';
import { printResult } from '../output';
import { ProgressBar } from '../progress-bar';
import { libraryTasks } from '../read-library';

export const TRAIN_USAGE =
  'loragen train --library DIR --out DIR [--config FILE] [--resume] [--force] [--backend wasm|cpu|webgpu|tensorflow] [--json] [--debug]';

/** The options of TRAIN_USAGE besides the common ones. */
const TRAIN_OPTIONS = {
  ...valueOptions('library', 'out', 'config'),
  resume: { type: 'boolean', default: false },
  force: { type: 'boolean', default: false },
} as const satisfies OptionDefinitions;

const LIBRARY_HINT = 'pass --library a folder with one sub-folder per task (a PEFT adapter and descriptions.json in each)';

async function readConfig(file: string | undefined): Promise<LoraGenConfigInput> {
  if (!file) return {};
  await inputFile(file, 'config file', 'pass --config a JSON file of LoRAGen options (see the README), or leave it out for the defaults');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read the config file ${file}: ${(err as Error).message}`, 'pass --config with a JSON file');
  }
  try {
    return JSON.parse(text) as LoraGenConfigInput; // validated by LoraGen.fit
  } catch (err) {
    throw new ConfigError(`the config file ${file} is not valid JSON: ${(err as Error).message}`, 'fix the JSON syntax');
  }
}

/**
 * Resolves and checks the config before any data is read, naming the file in the error (LoraGen.fit checks it
 * again, as it does for every caller).
 */
function checkedConfig(config: LoraGenConfigInput, file: string | undefined): LoraGenConfigInput {
  try {
    resolveConfig(config);
  } catch (err) {
    if (err instanceof ConfigError && file) throw new ConfigError(`the config file ${file}: ${err.reason}`, err.hint);
    throw err;
  }
  return config;
}

/**
 * Trains both stages on a library and saves the model to --out. Checkpoints go to <out>/checkpoints; the first
 * Ctrl-C (or SIGTERM) saves one and exits with 130 (143), `--resume` continues from it. Every path and the config
 * are checked before the library is read; --out must be missing or empty unless --resume or --force.
 */
export async function trainCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandArgs(argv, TRAIN_OPTIONS, TRAIN_USAGE);
  const library = required(values.library, 'library', TRAIN_USAGE);
  const out = required(values.out, 'out', TRAIN_USAGE);
  await inputFolder(library, 'library', LIBRARY_HINT);
  await outputFolder(out, {
    allowNonEmpty: values.resume || values.force,
    nonEmptyHint:
      'choose a new or empty folder, pass --resume to continue the training checkpointed there, or --force to write the model beside those files',
  });
  const config = checkedConfig(await readConfig(values.config), values.config);
  const backend = await useBackend(backendOption(values.backend, TRAIN_USAGE));
  const signal = io.interrupts.listen('saving a checkpoint (a second signal quits at once)');
  const bars = new Map<FitProgress['stage'], ProgressBar>();
  const started = Date.now();
  const gen = await LoraGen.fit(libraryTasks(library), config, {
    checkpointDir: join(out, 'checkpoints'),
    resume: values.resume,
    signal,
    onProgress: (p) => {
      let bar = bars.get(p.stage);
      if (!bar)
        bars.set(
          p.stage,
          (bar = new ProgressBar(p.stage === 'autoencoder' ? 'stage 1 (autoencoder)' : 'stage 2 (diffusion)  ', p.totalSteps, io.stderr)),
        );
      bar.update(p.step, `loss ${p.loss.toPrecision(4)}`);
    },
  });
  await gen.save(out);
  const result = { model: out, backend, seconds: (Date.now() - started) / 1000 };
  printResult(io, result, `saved the model to ${out} (${result.seconds.toFixed(1)} s on ${backend})`);
  gen.dispose();
  return 0;
}
