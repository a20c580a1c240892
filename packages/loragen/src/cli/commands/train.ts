import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { useBackend } from '../../backend/use-backend';
import type { BackendName } from '../../backend/names';
import type { LoraGenConfigInput } from '../../config/schema';
import { ConfigError } from '../../errors';
import { LoraGen } from '../../loragen';
import type { FitProgress } from '../../training/progress';
import { parseCommandArgs, required } from '../args';
import type { CliIO } from '../output';
import { printResult } from '../output';
import { ProgressBar } from '../progress-bar';
import { libraryTasks } from '../read-library';

export const TRAIN_USAGE =
  'loragen train --library DIR --out DIR [--config FILE] [--resume] [--backend wasm|cpu|webgpu|tensorflow] [--json]';

async function readConfig(file: string | undefined): Promise<LoraGenConfigInput> {
  if (!file) return {};
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
 * Trains both stages on a library and saves the model to --out. Checkpoints go to <out>/checkpoints; the first
 * Ctrl-C saves one and exits with 130, `--resume` continues from it.
 */
export async function trainCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandArgs(argv, { library: { type: 'string' }, out: { type: 'string' }, config: { type: 'string' }, resume: { type: 'boolean', default: false } }, TRAIN_USAGE);
  const library = required(values.library, 'library', TRAIN_USAGE);
  const out = required(values.out, 'out', TRAIN_USAGE);
  const config = await readConfig(values.config);
  const backend = await useBackend(values.backend as BackendName | undefined);
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130); // a second Ctrl-C does not wait for the checkpoint
    io.stderr.write('\ninterrupted: saving a checkpoint (Ctrl-C again to quit at once)\n');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  const bars = new Map<FitProgress['stage'], ProgressBar>();
  const started = Date.now();
  try {
    const gen = await LoraGen.fit(libraryTasks(library), config, {
      checkpointDir: join(out, 'checkpoints'),
      resume: values.resume,
      signal: controller.signal,
      onProgress: (p) => {
        let bar = bars.get(p.stage);
        if (!bar) bars.set(p.stage, (bar = new ProgressBar(p.stage === 'autoencoder' ? 'stage 1 (autoencoder)' : 'stage 2 (diffusion)  ', p.totalSteps, io.stderr)));
        bar.update(p.step, `loss ${p.loss.toPrecision(4)}`);
      },
    });
    await gen.save(out);
    const result = { model: out, backend, seconds: (Date.now() - started) / 1000 };
    printResult(io, result, `saved the model to ${out} (${result.seconds.toFixed(1)} s on ${backend})`);
    gen.dispose();
    return 0;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
