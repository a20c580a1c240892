import { join } from 'node:path';
import type { AdapterDtype } from '@loragen/lora-io';
import { writePeftAdapter } from '@loragen/lora-io/node';
import { useBackend } from '../../backend/use-backend';
import type { BackendName } from '../../backend/names';
import { LoraGen } from '../../loragen';
import { integer, number, parseCommandArgs, required } from '../args';
import { UsageError } from '../exit-codes';
import { printResult, type CliIO } from '../output';
import { ProgressBar } from '../progress-bar';

export const GENERATE_USAGE =
  'loragen generate --model DIR --description "..." --out DIR [--sampler ddpm|ddim|dpmpp-2m] [--steps N] [--guidance G] ' +
  '[--seed S] [--samples N] [--dtype F32|F16|BF16] [--backend NAME] [--json]';

const SAMPLERS = ['ddpm', 'ddim', 'dpmpp-2m'] as const;
const DTYPES = ['F32', 'F16', 'BF16'] as const;

/** Samples adapters for a description and writes each as a PEFT folder (--out, or --out/sample-<i> for several). */
export async function generateCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandArgs(
    argv,
    {
      model: { type: 'string' },
      description: { type: 'string' },
      out: { type: 'string' },
      sampler: { type: 'string' },
      steps: { type: 'string' },
      guidance: { type: 'string' },
      seed: { type: 'string' },
      samples: { type: 'string' },
      dtype: { type: 'string', default: 'F32' },
    },
    GENERATE_USAGE,
  );
  const model = required(values.model, 'model', GENERATE_USAGE);
  const description = required(values.description, 'description', GENERATE_USAGE);
  const out = required(values.out, 'out', GENERATE_USAGE);
  const sampler = values.sampler as (typeof SAMPLERS)[number] | undefined;
  if (sampler !== undefined && !SAMPLERS.includes(sampler)) throw new UsageError(`--sampler '${sampler}' is not one of ${SAMPLERS.join(', ')}`, GENERATE_USAGE);
  const dtype = values.dtype as AdapterDtype;
  if (!DTYPES.includes(dtype)) throw new UsageError(`--dtype '${dtype}' is not one of ${DTYPES.join(', ')}`, GENERATE_USAGE);
  const samples = integer(values.samples, 'samples', 1, GENERATE_USAGE)!;
  if (samples < 1) throw new UsageError('--samples must be at least 1', GENERATE_USAGE);
  const steps = integer(values.steps, 'steps', undefined, GENERATE_USAGE);

  const backend = await useBackend(values.backend as BackendName | undefined);
  const gen = await LoraGen.load(model);
  try {
    const started = Date.now();
    const bar = new ProgressBar('sampling', steps ?? gen.config.sampling.steps, io.stderr);
    const adapters = await gen.generate(description, {
      sampler,
      steps,
      guidanceScale: number(values.guidance, 'guidance', GENERATE_USAGE),
      seed: integer(values.seed, 'seed', undefined, GENERATE_USAGE),
      count: samples,
      onProgress: (p) => bar.update(p.step),
    });
    const dirs = adapters.length === 1 ? [out] : adapters.map((_, i) => join(out, `sample-${i + 1}`));
    for (let i = 0; i < adapters.length; i++) await writePeftAdapter(dirs[i], adapters[i], { dtype });
    const seconds = (Date.now() - started) / 1000;
    printResult(io, { adapters: dirs, backend, seconds }, `wrote ${dirs.join(', ')} (${seconds.toFixed(2)} s on ${backend})`);
    return 0;
  } finally {
    gen.dispose();
  }
}
