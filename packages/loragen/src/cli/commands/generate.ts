import { join } from 'node:path';
import { SamplingAbortedError } from '@loragen/latent-diffusion';
import type { AdapterDtype, LoraAdapter } from '@loragen/lora-io';
import { writePeftAdapter } from '@loragen/lora-io/node';
import { useBackend } from '../../backend/use-backend';
import { AbortedError } from '../../errors';
import { LoraGen } from '../../loragen';
import { backendOption, integer, number, parseCommandArgs, required, valueOptions, type OptionDefinitions } from '../args';
import { UsageError } from '../exit-codes';
import { printResult, type CliIO } from '../output';
import { inputFolder, outputFolder, type OutputMode } from '../paths';
import { ProgressBar } from '../progress-bar';
import { writeOutput } from '../write-output';

export const GENERATE_USAGE =
  'loragen generate --model DIR --description "..." --out DIR [--sampler ddpm|ddim|dpmpp-2m] [--steps N] [--guidance G] ' +
  '[--seed S] [--samples N [--select medoid|first]] [--dtype F32|F16|BF16] [--force] [--backend NAME] [--json] [--debug]';

/** The options of GENERATE_USAGE besides the common ones; the values are checked below. */
const GENERATE_OPTIONS = {
  ...valueOptions('model', 'description', 'out', 'sampler', 'steps', 'guidance', 'seed', 'samples', 'select'),
  dtype: { type: 'string', default: 'F32' },
  force: { type: 'boolean', default: false },
} as const satisfies OptionDefinitions;

const SAMPLERS = ['ddpm', 'ddim', 'dpmpp-2m'] as const;
const DTYPES = ['F32', 'F16', 'BF16'] as const;
const SELECTIONS = ['medoid', 'first'] as const;

const stopped = () => new AbortedError('generation was stopped', 'no file was left half-written; run the command again');

/** Writes the adapters as PEFT folders (see {@link writeOutput}): `out` itself for one, `out/sample-<i>` for several. */
async function writeAdapters(
  out: string,
  mode: OutputMode,
  adapters: LoraAdapter[],
  dtype: AdapterDtype,
  io: CliIO,
  signal: AbortSignal,
): Promise<string[]> {
  const rel = adapters.length === 1 ? [''] : adapters.map((_, i) => `sample-${i + 1}`);
  await writeOutput(out, mode, io, async (root) => {
    for (let i = 0; i < adapters.length; i++) {
      if (signal.aborted) throw stopped();
      await writePeftAdapter(join(root, rel[i]), adapters[i], { dtype });
    }
  });
  return rel.map((r) => join(out, r));
}

/** Samples adapters for a description and writes each as a PEFT folder (--out, or --out/sample-<i> for several). */
export async function generateCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandArgs(argv, GENERATE_OPTIONS, GENERATE_USAGE);
  const model = required(values.model, 'model', GENERATE_USAGE);
  const description = required(values.description, 'description', GENERATE_USAGE);
  const out = required(values.out, 'out', GENERATE_USAGE);
  const sampler = values.sampler as (typeof SAMPLERS)[number] | undefined;
  if (sampler !== undefined && !SAMPLERS.includes(sampler))
    throw new UsageError(`--sampler '${sampler}' is not one of ${SAMPLERS.join(', ')}`, GENERATE_USAGE);
  const dtype = values.dtype as AdapterDtype;
  if (!DTYPES.includes(dtype)) throw new UsageError(`--dtype '${dtype}' is not one of ${DTYPES.join(', ')}`, GENERATE_USAGE);
  const samples = integer(values.samples, 'samples', 1, GENERATE_USAGE)!;
  if (samples < 1) throw new UsageError('--samples must be at least 1', GENERATE_USAGE);
  const select = values.select as (typeof SELECTIONS)[number] | undefined;
  if (select !== undefined && !SELECTIONS.includes(select))
    throw new UsageError(`--select '${select}' is not one of ${SELECTIONS.join(', ')}`, GENERATE_USAGE);
  if (select !== undefined && samples < 2) throw new UsageError('--select picks one of several samples: pass --samples 2 or more', GENERATE_USAGE);
  const steps = integer(values.steps, 'steps', undefined, GENERATE_USAGE);
  const guidanceScale = number(values.guidance, 'guidance', GENERATE_USAGE);
  const seed = integer(values.seed, 'seed', undefined, GENERATE_USAGE);
  await inputFolder(model, 'model', 'pass --model a folder written by `loragen train` (or LoraGen.save)');
  const mode = await outputFolder(out, { allowNonEmpty: values.force });

  const backend = await useBackend(backendOption(values.backend, GENERATE_USAGE));
  const gen = await LoraGen.load(model);
  try {
    const signal = io.interrupts.listen('stopping; no adapter is written');
    const started = Date.now();
    const bar = new ProgressBar('sampling', steps ?? gen.config.sampling.steps, io.stderr);
    const common = { sampler, steps, guidanceScale, seed, signal, onProgress: (p: { step: number }) => bar.update(p.step) };
    const rethrow = (err: unknown) => {
      throw err instanceof SamplingAbortedError ? stopped() : err;
    };
    // Several samples come with a confidence estimate; --select keeps one of them.
    const confident = samples >= 2 ? await gen.generate(description, { ...common, samples, select: select ?? 'medoid' }).catch(rethrow) : undefined;
    const adapters = confident ? (select ? [confident.adapter] : confident.samples) : [await gen.generate(description, common).catch(rethrow)];
    const dirs = await writeAdapters(out, mode, adapters, dtype, io, signal);
    const seconds = (Date.now() - started) / 1000;
    const where = mode === 'beside' ? ' (adapter files only, beside the files already there)' : '';
    const text = [`wrote ${dirs.join(', ')}${where} (${seconds.toFixed(2)} s on ${backend})`];
    if (confident) {
      const c = confident.confidence;
      if (select) text.push(`kept sample ${confident.selected + 1} of ${samples} (${select})`);
      text.push(
        `confidence ${c.score.toFixed(2)}: names its nearest library task ${c.retrieval.toFixed(2)}, which the model reproduces ` +
          `${c.fidelity === null ? '(unknown: a model saved before fidelity was kept)' : c.fidelity.toFixed(2)}; samples agree ${c.agreement.toFixed(2)}, ` +
          `${(100 * c.offLibrary).toFixed(0)}% of the description outside the library; ` +
          `nearest library tasks ${c.nearestTasks.map((t) => `${t.task} (${t.similarity.toFixed(2)})`).join(', ')}`,
      );
    }
    const json = confident
      ? { adapters: dirs, backend, seconds, selected: select ? confident.selected : null, confidence: confident.confidence }
      : { adapters: dirs, backend, seconds };
    printResult(io, json, text.join('\n'));
    return 0;
  } finally {
    gen.dispose();
  }
}
